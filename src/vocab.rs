//! Closed vocabularies that rule files name by string: services, referrals, criteria.
//!
//! Each is a plain enum with a stable snake_case identifier, so an unknown name in a rule
//! file is a load-time error, never a silently ignored effect.

/// Defines a closed vocabulary: the enum, its identifiers and titles, and a lookup by id.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $id:literal : $title:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stable identifier used in JSON and rule files.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $id, )+ }
            }

            /// A human-readable title.
            pub const fn title(self) -> &'static str {
                match self { $( $name::$variant => $title, )+ }
            }

            /// The member with identifier `id`, if there is one.
            pub fn from_id(id: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|m| m.as_str() == id)
            }

            /// Every identifier, in declaration order (for "did you mean" hints).
            pub fn ids() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|m| m.as_str())
            }

            #[allow(dead_code)] // not every vocabulary is stored as a set
            pub(crate) const fn bit(self) -> u32 {
                1u32 << (self as u32)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// The criterion a rule belongs to.
    Criterion {
        /// The starting point every placement shares (outpatient unless a need sets more).
        Baseline = "baseline": "Baseline",
        /// Acute safety: suicide risk, harm to others, psychosis or inability to care for self.
        Safety = "safety": "Acute safety",
        /// Withdrawal risk.
        Withdrawal = "withdrawal": "Withdrawal",
        /// Medical stability.
        Medical = "medical": "Medical stability",
        /// Substance-use and mental-health severity.
        Severity = "severity": "Severity",
        /// Symptom self-management outside treatment hours.
        SelfManagement = "self_management": "Symptom self-management",
        /// Treatment history: step-up and step-down.
        History = "history": "Treatment history",
        /// Home stability and recovery environment.
        Home = "home": "Home stability",
        /// Engagement and practical needs.
        Engagement = "engagement": "Engagement and practical needs",
        /// A pack-defined instrument (dimension ratings, composite scores).
        Instrument = "instrument": "Pack-defined instrument",
    }
}

vocabulary! {
    /// A service in the plan (seed section "IOP Addiction Treatment Services" and
    /// "IOP Therapy Services", which cite SAMHSA), and services the rules add.
    Service {
        /// A dedicated case manager from start to finish.
        CaseManagement = "case_management": "Case management",
        /// Round-the-clock crisis services outside treatment hours.
        CrisisLine = "crisis_line": "24/7 crisis line",
        /// A written safety plan made with a clinician.
        SafetyPlanning = "safety_planning": "Safety planning",
        /// Counselling the person (and family) on limiting access to lethal means such as
        /// firearms and stockpiled medication.
        LethalMeansCounselling = "lethal_means_counselling": "Lethal-means counselling",
        /// Medication-assisted treatment for substance use.
        MedicationAssistedTreatment = "medication_assisted_treatment": "Medication-assisted treatment (MAT)",
        /// Naloxone to take home, with training to reverse an opioid overdose.
        Naloxone = "naloxone": "Naloxone kit and overdose-response training",
        /// Monitored withdrawal management.
        WithdrawalManagement = "withdrawal_management": "Withdrawal management",
        /// Daily medical or nursing monitoring.
        MedicalMonitoring = "medical_monitoring": "Medical monitoring",
        /// Drug and alcohol monitoring and testing.
        DrugAlcoholTesting = "drug_alcohol_testing": "Drug and alcohol testing",
        /// Psychoeducation sessions.
        Psychoeducation = "psychoeducation": "Psychoeducation",
        /// Psychiatric medication management (dual diagnosis).
        PsychiatricMedicationManagement = "psychiatric_medication_management": "Psychiatric medication management",
        /// Both conditions treated at once (dual diagnosis).
        IntegratedDualDiagnosisTreatment = "integrated_dual_diagnosis_treatment": "Integrated dual-diagnosis treatment",
        /// One-to-one therapy.
        IndividualTherapy = "individual_therapy": "Individual therapy",
        /// Group counselling.
        GroupTherapy = "group_therapy": "Group counselling",
        /// Family therapy.
        FamilyTherapy = "family_therapy": "Family therapy",
        /// Research-based therapies such as CBT, DBT or EMDR.
        EvidenceBasedTherapy = "evidence_based_therapy": "Evidence-based therapy (CBT, DBT, EMDR)",
        /// Holistic therapies such as yoga, meditation, expressive arts.
        HolisticTherapy = "holistic_therapy": "Holistic therapy",
        /// Transportation to and from treatment.
        Transportation = "transportation": "Transportation",
        /// Childcare during treatment hours.
        Childcare = "childcare": "Childcare",
        /// Care adapted to the person's cultural, language or spiritual preferences.
        CulturallyAdaptedCare = "culturally_adapted_care": "Culturally adapted care",
        /// Working with the school: attendance, a learning plan, and a return to school.
        SchoolCoordination = "school_coordination": "Coordination with the school",
        /// Motivational enhancement to build readiness for change.
        MotivationalEnhancement = "motivational_enhancement": "Motivational enhancement",
    }
}

vocabulary! {
    /// A referral outside the programme itself.
    Referral {
        /// Same-day evaluation by a clinician (crisis or emergency services).
        SameDayEvaluation = "same_day_evaluation": "Same-day clinical evaluation",
        /// Substance-free sober-living home.
        SoberLiving = "sober_living": "Sober living",
        /// Transitional housing.
        TransitionalHousing = "transitional_housing": "Transitional housing",
        /// Housing support services.
        HousingSupport = "housing_support": "Housing support services",
        /// Mutual-help groups such as 12-step meetings.
        MutualHelp = "mutual_help": "Mutual-help groups (e.g. 12-step)",
        /// Continuing individual or group counselling after the programme.
        ContinuingCounselling = "continuing_counselling": "Continuing counselling",
        /// Obstetric care shared with the addiction team during pregnancy.
        ObstetricCoManagement = "obstetric_co_management": "Obstetric co-management",
        /// Domestic-violence advocacy and safety planning for a home that is not safe.
        SafetyServices = "safety_services": "Domestic-violence advocacy and safety planning",
        /// An emergency shelter for a person whose home is violent (safe; not necessarily
        /// substance-free).
        EmergencyShelter = "emergency_shelter": "Emergency shelter",
        /// An assessment by child protective services (and a report where the law requires
        /// one) for a minor whose home is unsafe or where a parent uses alcohol or drugs.
        ChildProtectionAssessment = "child_protection_assessment": "Child-protection assessment",
        /// A clinician's review of the duty to protect (warn) an identifiable person at risk.
        DutyToProtectReview = "duty_to_protect_review": "Duty-to-protect review",
    }
}

vocabulary! {
    /// The setting within a level: where the level is delivered, so a referral can be routed.
    /// The four levels stay the product's contract; each names one of these (public names
    /// only). Within a level the first listed wins when fired rules name more than one.
    CareSetting {
        /// Medically managed inpatient care in a hospital (24-hour physician and nursing care).
        MedicallyManagedHospital = "medically_managed_hospital": "Medically managed hospital care",
        /// An inpatient psychiatric unit, which can manage acute suicide, violence or psychosis.
        InpatientPsychiatric = "inpatient_psychiatric": "Inpatient psychiatric unit",
        /// Medically monitored residential care or withdrawal management (24-hour nursing,
        /// physician available).
        MedicallyMonitoredResidential = "medically_monitored_residential": "Medically monitored residential care or withdrawal management",
        /// Clinically managed residential care, high intensity (24-hour staffed treatment).
        ClinicallyManagedResidentialHigh = "clinically_managed_residential_high": "Clinically managed residential care (high intensity)",
        /// Clinically managed residential care, low intensity (a 24-hour recovery setting with
        /// treatment hours on site or nearby).
        ClinicallyManagedResidentialLow = "clinically_managed_residential_low": "Clinically managed residential care (low intensity)",
        /// PHP that manages withdrawal on site, with daily monitoring.
        PhpWithdrawalManagement = "php_withdrawal_management": "PHP with withdrawal management",
        /// PHP enhanced for co-occurring mental-health conditions.
        PhpCoOccurring = "php_co_occurring": "PHP, co-occurring enhanced",
        /// PHP.
        PhpStandard = "php_standard": "PHP",
        /// IOP that manages withdrawal on site, with daily monitoring.
        IopWithdrawalManagement = "iop_withdrawal_management": "IOP with withdrawal management",
        /// IOP enhanced for co-occurring mental-health conditions.
        IopCoOccurring = "iop_co_occurring": "IOP, co-occurring enhanced",
        /// IOP.
        IopStandard = "iop_standard": "IOP",
        /// Outpatient care with medication for opioid use disorder (an opioid treatment
        /// programme or office-based treatment).
        OutpatientMoud = "outpatient_moud": "Outpatient with medication for opioid use disorder (OTP or office-based)",
        /// Outpatient care.
        OutpatientStandard = "outpatient_standard": "Outpatient",
    }
}

impl CareSetting {
    /// The level the setting belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::{CareSetting, Level};
    /// assert_eq!(CareSetting::InpatientPsychiatric.level(), Level::Inpatient);
    /// assert_eq!(CareSetting::IopCoOccurring.level(), Level::Iop);
    /// ```
    pub const fn level(self) -> crate::Level {
        use crate::Level;
        match self {
            CareSetting::MedicallyManagedHospital
            | CareSetting::InpatientPsychiatric
            | CareSetting::MedicallyMonitoredResidential
            | CareSetting::ClinicallyManagedResidentialHigh
            | CareSetting::ClinicallyManagedResidentialLow => Level::Inpatient,
            CareSetting::PhpWithdrawalManagement
            | CareSetting::PhpCoOccurring
            | CareSetting::PhpStandard => Level::Php,
            CareSetting::IopWithdrawalManagement
            | CareSetting::IopCoOccurring
            | CareSetting::IopStandard => Level::Iop,
            CareSetting::OutpatientMoud | CareSetting::OutpatientStandard => Level::Outpatient,
        }
    }

    /// The setting a level gets when no fired rule names one, from the capabilities the
    /// fired rules ask for: withdrawal management, then co-occurring care (PHP and IOP), medication for opioid use disorder (outpatient), else the level's standard
    /// programme. `None` for the 24-hour level: a rule that sets it must name its setting.
    pub(crate) fn implied(level: crate::Level, capabilities: Set) -> Option<CareSetting> {
        use crate::Level;
        let has = |c: Capability| capabilities.contains_bit(c.bit());
        let withdrawal = has(Capability::WithdrawalManagement);
        let co_occurring = has(Capability::CoOccurring);
        Some(match level {
            Level::Inpatient => return None,
            Level::Php if withdrawal => CareSetting::PhpWithdrawalManagement,
            Level::Php if co_occurring => CareSetting::PhpCoOccurring,
            Level::Php => CareSetting::PhpStandard,
            Level::Iop if withdrawal => CareSetting::IopWithdrawalManagement,
            Level::Iop if co_occurring => CareSetting::IopCoOccurring,
            Level::Iop => CareSetting::IopStandard,
            Level::Outpatient if has(Capability::Moud) => CareSetting::OutpatientMoud,
            Level::Outpatient => CareSetting::OutpatientStandard,
        })
    }

    /// Whether it is a level's standard programme (nothing more to say than the level).
    pub const fn is_standard(self) -> bool {
        matches!(
            self,
            CareSetting::PhpStandard | CareSetting::IopStandard | CareSetting::OutpatientStandard
        )
    }

    /// The capability whose need implies this setting, if it is implied by one.
    pub(crate) const fn implied_by(self) -> Option<Capability> {
        match self {
            CareSetting::PhpWithdrawalManagement | CareSetting::IopWithdrawalManagement => {
                Some(Capability::WithdrawalManagement)
            }
            CareSetting::PhpCoOccurring | CareSetting::IopCoOccurring => {
                Some(Capability::CoOccurring)
            }
            CareSetting::OutpatientMoud => Some(Capability::Moud),
            _ => None,
        }
    }
}

vocabulary! {
    /// A capability the receiving programme needs, so a referral can be matched to a
    /// programme that offers it.
    Capability {
        /// Withdrawal management on site, with the monitoring the risk needs.
        WithdrawalManagement = "withdrawal_management": "Withdrawal management",
        /// Starting or continuing medication for opioid use disorder (buprenorphine,
        /// methadone or naltrexone).
        Moud = "moud": "Medication for opioid use disorder",
        /// Psychiatric care: psychiatric assessment and medication management for a
        /// mental-health condition.
        PsychiatricCare = "psychiatric_care": "Psychiatric care",
        /// Substance use and mental-health conditions treated together by one team
        /// (co-occurring enhanced).
        CoOccurring = "co_occurring": "Integrated care for co-occurring substance use and mental-health conditions",
        /// Daily medical or nursing monitoring of a medical condition.
        MedicalMonitoring = "medical_monitoring": "Medical or nursing monitoring",
        /// Care of a pregnant or postpartum person, with obstetric care.
        PerinatalCare = "perinatal_care": "Care in pregnancy and after birth",
        /// A programme for adolescents, with family involvement and schooling.
        Adolescent = "adolescent": "An adolescent programme, with family involvement",
    }
}

/// A small set of vocabulary members, stored as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(crate) struct Set(pub(crate) u32);

impl Set {
    pub(crate) fn insert_bit(&mut self, bit: u32) {
        self.0 |= bit;
    }

    pub(crate) fn union(self, other: Set) -> Set {
        Set(self.0 | other.0)
    }

    pub(crate) fn contains_bit(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}
