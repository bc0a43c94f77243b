//! Agreement between an evaluator's scores and the scores careful humans gave the same answers.

use serde::Serialize;

/// How well two sets of scores agree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    pub n: usize,
    /// Mean absolute difference, in overall points (0–100).
    pub mean_absolute_error: f64,
    /// Spearman's rank correlation (−1…1); `None` with fewer than two examples or no spread.
    pub spearman: Option<f64>,
}

/// Compares `(expected, actual)` pairs.
pub fn agreement(pairs: &[(f64, f64)]) -> Agreement {
    let n = pairs.len();
    let mae = if n == 0 {
        0.0
    } else {
        pairs.iter().map(|(e, a)| (e - a).abs()).sum::<f64>() / n as f64
    };
    let spearman = if n < 2 {
        None
    } else {
        let expected: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let actual: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        pearson(&ranks(&expected), &ranks(&actual))
    };
    Agreement {
        n,
        mean_absolute_error: mae,
        spearman,
    }
}

/// Fewest examples from which calibration reports a rank correlation. Below this, one answer
/// more or less swings Spearman's coefficient across most of its range (with three examples
/// every ordering gives ±1 or ±0.5), so a number would only look like evidence.
pub const MIN_EXAMPLES_FOR_CORRELATION: usize = 8;

/// Whether a calibration report carries a correlation, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Correlation {
    /// `spearman` holds Spearman's rank correlation.
    Spearman,
    /// Fewer examples than `min_examples`: no correlation is reported.
    NotEnoughExamples,
    /// The expected or the actual scores are all equal, so their ranks say nothing.
    NoSpread,
}

/// Agreement as calibration reports it: the sample size always, the mean absolute error with
/// it, and Spearman's rank correlation only from `min_examples` (8) examples on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CalibrationAgreement {
    /// How many examples were graded.
    pub n: usize,
    /// Mean absolute difference over the `n` examples, in overall points (0–100).
    pub mean_absolute_error: f64,
    /// Spearman's rank correlation (−1…1), or null (see `correlation`).
    pub spearman: Option<f64>,
    /// Why `spearman` is or is not given.
    pub correlation: Correlation,
    /// The fewest examples a correlation is reported from.
    pub min_examples: usize,
}

/// Compares `(expected, actual)` calibration pairs, withholding the correlation of a small sample.
pub fn calibration_agreement(pairs: &[(f64, f64)]) -> CalibrationAgreement {
    let a = agreement(pairs);
    let (spearman, correlation) = if a.n < MIN_EXAMPLES_FOR_CORRELATION {
        (None, Correlation::NotEnoughExamples)
    } else {
        match a.spearman {
            Some(s) => (Some(s), Correlation::Spearman),
            None => (None, Correlation::NoSpread),
        }
    };
    CalibrationAgreement {
        n: a.n,
        mean_absolute_error: a.mean_absolute_error,
        spearman,
        correlation,
        min_examples: MIN_EXAMPLES_FOR_CORRELATION,
    }
}

impl CalibrationAgreement {
    /// The correlation as a reader should see it: `0.83`, or why there is none.
    pub fn spearman_text(&self) -> String {
        match (self.correlation, self.spearman) {
            (Correlation::Spearman, Some(s)) => format!("{s:.2}"),
            (Correlation::NotEnoughExamples, _) => {
                format!("not enough examples ({} of {})", self.n, self.min_examples)
            }
            _ => "none (the scores have no spread)".to_string(),
        }
    }
}

/// Ranks with ties sharing their mean rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            out[order[k]] = rank;
        }
        i = j + 1;
    }
    out
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let (vx, vy): (f64, f64) = (
        x.iter().map(|a| (a - mx).powi(2)).sum(),
        y.iter().map(|b| (b - my).powi(2)).sum(),
    );
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_order_and_reversed_order() {
        let a = agreement(&[(10.0, 20.0), (50.0, 55.0), (90.0, 80.0)]);
        assert_eq!(a.spearman, Some(1.0));
        assert!((a.mean_absolute_error - 25.0 / 3.0).abs() < 1e-9);
        let r = agreement(&[(10.0, 90.0), (50.0, 50.0), (90.0, 10.0)]);
        assert_eq!(r.spearman, Some(-1.0));
    }

    #[test]
    fn ties_share_ranks_and_no_spread_gives_none() {
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), [2.5, 1.0, 2.5]);
        assert_eq!(agreement(&[(10.0, 50.0), (20.0, 50.0)]).spearman, None);
        assert_eq!(agreement(&[(10.0, 50.0)]).spearman, None);
    }

    fn spread(n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| (i as f64 * 10.0, i as f64 * 10.0 + 5.0))
            .collect()
    }

    #[test]
    fn calibration_withholds_the_correlation_below_the_minimum_sample() {
        let small = calibration_agreement(&spread(MIN_EXAMPLES_FOR_CORRELATION - 1));
        assert_eq!(small.n, 7);
        assert_eq!(small.spearman, None);
        assert_eq!(small.correlation, Correlation::NotEnoughExamples);
        assert_eq!(
            small.mean_absolute_error, 5.0,
            "the error is still reported"
        );
        assert_eq!(small.spearman_text(), "not enough examples (7 of 8)");

        let enough = calibration_agreement(&spread(MIN_EXAMPLES_FOR_CORRELATION));
        assert_eq!(enough.n, 8);
        assert_eq!(enough.spearman, Some(1.0));
        assert_eq!(enough.correlation, Correlation::Spearman);
        assert_eq!(enough.spearman_text(), "1.00");

        let flat: Vec<(f64, f64)> = (0..9).map(|i| (f64::from(i), 50.0)).collect();
        let flat = calibration_agreement(&flat);
        assert_eq!(
            (flat.spearman, flat.correlation),
            (None, Correlation::NoSpread)
        );

        let none = calibration_agreement(&[]);
        assert_eq!(
            (none.n, none.correlation),
            (0, Correlation::NotEnoughExamples)
        );
    }
}
