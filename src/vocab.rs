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
        /// Safety services for a home that is not safe (violence).
        SafetyServices = "safety_services": "Domestic-violence and safety services",
        /// A clinician's review of the duty to protect (warn) an identifiable person at risk.
        DutyToProtectReview = "duty_to_protect_review": "Duty-to-protect review",
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
