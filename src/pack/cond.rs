//! The condition language and its one evaluator.
//!
//! This module owns what a rule's `when` means once compiled: the condition [`Cond`], the
//! three-valued result [`Tri`], and [`eval`], the only code in the crate that decides whether
//! a condition holds. Everything that evaluates a condition calls it:
//!
//! - the engine, on an intake's resolved answers, without a trace (most rules do not hold),
//!   with one (the answers a fired or not-evaluated rule read), and for the what-if question;
//! - the static analysis, on the points of its own abstract answer space, so that what it
//!   proves about a pack is proved about the engine's evaluation itself.
//!
//! Where the answers come from is the caller's business, behind [`Lookup`]; what a condition
//! reads is told to a [`Recorder`] ([`NoTrace`] when nobody asks). Both are type parameters,
//! so each use is compiled on its own and a trace costs nothing where none is taken.
//! `tests/reference.rs` keeps an independent evaluator, written apart from this one, to check
//! it against.

use crate::answer::{AnswerRef, Value};

/// Three-valued truth: a condition over an unanswered optional item is `Unknown` ("not
/// evaluated"), and a rule fires only on `True`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

fn tri(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// A compiled condition over answers; constants are already typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    /// A yes/no answer equals `v`.
    Bool(AnswerRef, bool),
    /// A number or choice rank lies in `lo..=hi`.
    Range(AnswerRef, u32, u32),
    /// A choice is one of the ranks set in the mask.
    Mask(AnswerRef, u64),
    /// The answer is (or is not) given. Never unknown.
    Answered(AnswerRef, bool),
    All(Box<[Cond]>),
    Any(Box<[Cond]>),
    AnyGiven(Box<[Cond]>),
    Not(Box<Cond>),
    AtLeast(u32, Box<[Cond]>),
}

impl Cond {
    /// Calls `f` on each test (the leaves: `Bool`, `Range`, `Mask`, `Answered`) in the order
    /// written, with the answer it reads.
    pub(crate) fn for_each_test(&self, f: &mut impl FnMut(AnswerRef, &Cond)) {
        match self {
            Cond::Bool(a, _) | Cond::Range(a, _, _) | Cond::Mask(a, _) | Cond::Answered(a, _) => {
                f(*a, self);
            }
            Cond::All(list) | Cond::Any(list) | Cond::AnyGiven(list) | Cond::AtLeast(_, list) => {
                for c in list {
                    c.for_each_test(f);
                }
            }
            Cond::Not(c) => c.for_each_test(f),
        }
    }

    /// The built-in answers this condition reads, as bits of their positions in `Field::ALL`.
    pub(crate) fn fields_read(&self) -> crate::answer::FieldBits {
        let mut bits = 0;
        self.for_each_test(&mut |a, _| {
            if let AnswerRef::Field(f) = a {
                bits |= super::field_bit(f);
            }
        });
        bits
    }
}

/// Where an evaluation reads its answers: an intake's (the engine) or a point of an abstract
/// space (the analysis). `None` is an absent answer.
pub(crate) trait Lookup {
    /// The value of answer `a`, if given.
    fn value(&self, a: AnswerRef) -> Option<Value>;

    /// Whether an answer without a value was nonetheless obtained in part: an instrument
    /// given item by item but not complete. Such an answer is not "not given": `any_given`
    /// cannot be decided against it. Only asked of an answer whose value is absent. (A
    /// declined safety item reads as absent here, as the analysis models it.)
    fn obtained(&self, _a: AnswerRef) -> bool {
        false
    }
}

/// Told each answer a condition reads, with its value, in the order read (once per read: a
/// condition reading an answer twice tells it twice).
pub(crate) trait Recorder {
    /// Whether it keeps anything (false for [`NoTrace`]); [`eval`] inlines more where not.
    const RECORDS: bool = true;

    /// Answer `a` was read and found to be `v`.
    fn read(&mut self, a: AnswerRef, v: Option<Value>);
}

/// Records nothing: used where only the truth value matters.
pub(crate) struct NoTrace;

impl Recorder for NoTrace {
    const RECORDS: bool = false;

    #[inline]
    fn read(&mut self, _: AnswerRef, _: Option<Value>) {}
}

/// Evaluates a condition, reading answers from `at` and telling `rec` each one read.
///
/// Lists are evaluated left to right and stop as soon as their value is known (`all` at the
/// first false, `any` and `any_given` at the first true, `at_least_n` once `n` hold), so a
/// trace holds the answers read until the result was known. A test on an absent answer is
/// `Unknown`, and a test of the value of a not-applicable answer is `False` (no value of a
/// scale holds for a person it does not apply to; `answered` is true); `all` is false if any
/// part is false, else unknown if any part is; `any` is true
/// if any part is true, else unknown if any part is; `any_given` is true if any part is true,
/// else false if any part is known and none unknown was obtained in part (see
/// [`Lookup::obtained`]), else unknown; `not` swaps true and false;
/// `at_least_n` is true once `n` parts are true, unknown while unknown parts could still make
/// up `n`, else false.
///
/// Leaf tests are evaluated inline, in the loop of the list that holds them; only lists and
/// `not` cost a call. Without a trace, the outermost `all` is inlined too: most rules are a
/// list of tests, and most are false at their first test. A trace is taken only of the few
/// rules that fire or cannot be evaluated, where a smaller caller is worth more (inlining it
/// there too measured about 6% more instructions per assessment of the built-in pack).
#[inline(always)]
pub(crate) fn eval<L: Lookup, R: Recorder>(c: &Cond, at: &L, rec: &mut R) -> Tri {
    match c {
        Cond::All(list) if !R::RECORDS => all_inline(list, at, rec),
        c => node(c, at, rec),
    }
}

#[inline(always)]
fn node<L: Lookup, R: Recorder>(c: &Cond, at: &L, rec: &mut R) -> Tri {
    match c {
        Cond::Bool(a, want) => match read(*a, at, rec) {
            Some(Value::Bool(b)) => tri(b == *want),
            Some(Value::NotApplicable) => Tri::False,
            _ => Tri::Unknown,
        },
        Cond::Range(a, lo, hi) => match read(*a, at, rec) {
            Some(Value::Num(n)) => tri(*lo <= n && n <= *hi),
            Some(Value::Choice(r)) => tri(*lo <= u32::from(r) && u32::from(r) <= *hi),
            Some(Value::NotApplicable) => Tri::False,
            _ => Tri::Unknown,
        },
        Cond::Mask(a, mask) => match read(*a, at, rec) {
            Some(Value::Choice(r)) => {
                tri(mask.checked_shr(u32::from(r)).is_some_and(|m| m & 1 == 1))
            }
            Some(Value::NotApplicable) => Tri::False,
            _ => Tri::Unknown,
        },
        Cond::Answered(a, want) => tri(read(*a, at, rec).is_some() == *want),
        Cond::All(list) => all(list, at, rec),
        Cond::Any(list) => any(list, at, rec),
        Cond::AnyGiven(list) => any_given(list, at, rec),
        Cond::Not(c) => not(c, at, rec),
        Cond::AtLeast(n, list) => at_least(*n, list, at, rec),
    }
}

#[inline(always)]
fn read<L: Lookup, R: Recorder>(a: AnswerRef, at: &L, rec: &mut R) -> Option<Value> {
    let v = at.value(a);
    rec.read(a, v);
    v
}

fn all<L: Lookup, R: Recorder>(list: &[Cond], at: &L, rec: &mut R) -> Tri {
    all_inline(list, at, rec)
}

/// [`all`], for a caller that wants the loop in its own body.
#[inline(always)]
fn all_inline<L: Lookup, R: Recorder>(list: &[Cond], at: &L, rec: &mut R) -> Tri {
    let mut unknown = false;
    for c in list {
        match node(c, at, rec) {
            Tri::False => return Tri::False,
            Tri::Unknown => unknown = true,
            Tri::True => {}
        }
    }
    if unknown { Tri::Unknown } else { Tri::True }
}

fn any<L: Lookup, R: Recorder>(list: &[Cond], at: &L, rec: &mut R) -> Tri {
    let mut unknown = false;
    for c in list {
        match node(c, at, rec) {
            Tri::True => return Tri::True,
            Tri::Unknown => unknown = true,
            Tri::False => {}
        }
    }
    if unknown { Tri::Unknown } else { Tri::False }
}

fn any_given<L: Lookup, R: Recorder>(list: &[Cond], at: &L, rec: &mut R) -> Tri {
    let (mut known, mut pending) = (false, false);
    for c in list {
        match node(c, at, rec) {
            Tri::True => return Tri::True,
            Tri::False => known = true,
            Tri::Unknown => pending |= obtained(c, at),
        }
    }
    // An alternative obtained in part (a partial instrument, a declined item) may still
    // hold: the others do not decide against it.
    if known && !pending {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// Whether a test that came out unknown read an answer that was obtained in part.
fn obtained<L: Lookup>(c: &Cond, at: &L) -> bool {
    match c {
        Cond::Bool(a, _) | Cond::Range(a, _, _) | Cond::Mask(a, _) => {
            at.value(*a).is_none() && at.obtained(*a)
        }
        Cond::Answered(..) => false,
        Cond::All(list) | Cond::Any(list) | Cond::AnyGiven(list) | Cond::AtLeast(_, list) => {
            list.iter().any(|c| obtained(c, at))
        }
        Cond::Not(c) => obtained(c, at),
    }
}

fn not<L: Lookup, R: Recorder>(c: &Cond, at: &L, rec: &mut R) -> Tri {
    match node(c, at, rec) {
        Tri::True => Tri::False,
        Tri::False => Tri::True,
        Tri::Unknown => Tri::Unknown,
    }
}

fn at_least<L: Lookup, R: Recorder>(n: u32, list: &[Cond], at: &L, rec: &mut R) -> Tri {
    let (mut yes, mut unknown) = (0u32, 0u32);
    for c in list {
        match node(c, at, rec) {
            Tri::True => yes += 1,
            Tri::Unknown => unknown += 1,
            Tri::False => {}
        }
        if yes >= n {
            return Tri::True;
        }
    }
    if yes.saturating_add(unknown) >= n {
        Tri::Unknown
    } else {
        Tri::False
    }
}
