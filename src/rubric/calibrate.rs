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
}
