//! BAQ, the per-base alignment quality of Li (2011, Bioinformatics 27:1157): a banded pair
//! HMM (match, insertion, deletion states; gap open 0.001, extension 0.1) aligns the read
//! glocally to the reference around its mapped position; the posterior probability that
//! each base is aligned where its CIGAR puts it caps the base's quality. This is the
//! "extended" BAQ `bcftools mpileup` applies (htslib's `sam_prob_realn` with
//! `BAQ_APPLY|BAQ_EXTEND`), with htslib's banding, scaling and rounding so the capped
//! qualities are the same.

use crate::alignment::{op, Read};

const EI: f64 = 0.25;
const EM: f64 = 0.333_333_333_33;

/// Gap open, gap extension and band width.
struct Params {
    d: f64,
    e: f64,
    bw: usize,
}

/// 2-bit code of a base (A, C, G, T = 0..3), 4 for anything else.
fn code(base: u8) -> u8 {
    match base.to_ascii_uppercase() {
        b'A' => 0,
        b'C' => 1,
        b'G' => 2,
        b'T' => 3,
        _ => 4,
    }
}

/// Posterior alignment of `query` to `reference`: per query base, the reference offset and
/// state it most probably aligns to (`offset << 2 | 0` match, `| 1` insertion) and the
/// Phred-scaled probability that this is wrong (at most 99).
fn glocal(reference: &[u8], query: &[u8], iqual: &[u8], c: &Params) -> (Vec<i64>, Vec<u8>) {
    let l_ref = reference.len();
    let l_query = query.len();
    let mut state = vec![0i64; l_query];
    let mut q = vec![0u8; l_query];
    if l_ref == 0 || l_query == 0 {
        return (state, q);
    }
    let mut bw = l_ref.max(l_query);
    if bw > c.bw {
        bw = c.bw;
    }
    let diff = l_ref.abs_diff(l_query);
    if bw < diff {
        bw = diff;
    }
    let bw2 = bw * 2 + 1;
    let i_dim = if bw2 < l_ref {
        bw2 * 3 + 6
    } else {
        l_ref * 3 + 6
    };
    let mut f = vec![0f64; (l_query + 1) * i_dim];
    let mut b = vec![0f64; (l_query + 1) * i_dim];
    let mut s = vec![0f64; l_query + 2];
    let qual: Vec<f64> = iqual
        .iter()
        .map(|&x| 10f64.powf(-f64::from(x) / 10.0))
        .collect();
    let s_m = 1.0 / (2.0 * l_query as f64 + 2.0);
    let s_i = s_m;
    let m = [
        (1.0 - c.d - c.d) * (1.0 - s_m),
        c.d * (1.0 - s_m),
        c.d * (1.0 - s_m),
        (1.0 - c.e) * (1.0 - s_i),
        c.e * (1.0 - s_i),
        0.0,
        1.0 - c.e,
        0.0,
        c.e,
    ];
    let b_m = (1.0 - c.d) / l_ref as f64;
    let b_i = c.d / l_ref as f64;
    // Index of cell (i, k) within row i; negative or past the row when (i, k) is outside
    // the band (callers that scan whole rows skip those).
    let set_u_signed =
        |i: usize, k: usize| -> i64 { (k as i64 + 1 - i.saturating_sub(bw) as i64) * 3 };
    let set_u = |i: usize, k: usize| -> usize { set_u_signed(i, k).max(0) as usize };
    let emit = |r: u8, qb: u8, p: f64| -> f64 {
        if r > 3 || qb > 3 {
            1.0
        } else if r == qb {
            1.0 - p
        } else {
            p * EM
        }
    };
    // Forward.
    f[set_u(0, 0)] = 1.0;
    s[0] = 1.0;
    {
        let end = l_ref.min(bw + 1);
        let mut sum = 0.0;
        for k in 1..=end {
            let e = emit(reference[k - 1], query[0], qual[0]);
            let u = i_dim + set_u(1, k);
            f[u] = e * b_m;
            f[u + 1] = EI * b_i;
            sum += f[u] + f[u + 1];
        }
        s[1] = sum;
    }
    for i in 2..=l_query {
        let beg = if i > bw { i - bw } else { 1 };
        let end = l_ref.min(i + bw);
        let qli = qual[i - 1];
        let qyi = query[i - 1];
        let mm = 1.0 / s[i - 1];
        let xm = [
            mm * m[0],
            mm * m[3],
            mm * m[6],
            EI * mm * m[1],
            EI * mm * m[4],
        ];
        let row = i * i_dim;
        let prev = (i - 1) * i_dim;
        let mut sum = 0.0;
        let mut u = set_u(i, beg);
        let mut v11 = set_u(i - 1, beg - 1);
        let mut l_x0 = m[2] * f[row + u];
        let mut l_x2 = m[8] * f[row + u + 2];
        for k in beg..=end {
            let r = reference[k - 1];
            let e = if r > 3 || qyi > 3 {
                1.0
            } else if r == qyi {
                1.0 - qli
            } else {
                qli * EM
            };
            let y = &f[prev + v11..prev + v11 + 5];
            let z0 = xm[0] * y[0];
            let z1 = xm[1] * y[1];
            let z2 = xm[2] * y[2];
            let z3 = xm[3] * y[3];
            let z4 = xm[4] * y[4];
            let x0 = e * (z0 + z1 + z2);
            let x1 = z3 + z4;
            let x2 = l_x0 + l_x2;
            f[row + u] = x0;
            f[row + u + 1] = x1;
            f[row + u + 2] = x2;
            sum += x0 + x1 + x2;
            l_x0 = m[2] * x0;
            l_x2 = m[8] * x2;
            u += 3;
            v11 += 3;
        }
        s[i] = sum;
    }
    {
        let mm = 1.0 / s[l_query];
        let row = l_query * i_dim;
        let mut sum = 0.0;
        for k in 1..=l_ref {
            let u = set_u_signed(l_query, k);
            if u < 3 || u >= i_dim as i64 {
                continue;
            }
            let u = u as usize;
            sum += mm * f[row + u] * s_m + mm * f[row + u + 1] * s_i;
        }
        s[l_query + 1] = sum;
    }
    // Backward.
    {
        let row = l_query * i_dim;
        for k in 1..=l_ref {
            let u = set_u_signed(l_query, k);
            if u < 3 || u >= i_dim as i64 {
                continue;
            }
            let u = u as usize;
            b[row + u] = s_m / s[l_query] / s[l_query + 1];
            b[row + u + 1] = s_i / s[l_query] / s[l_query + 1];
        }
    }
    for i in (1..l_query).rev() {
        let beg = if i > bw { i - bw } else { 1 };
        let end = l_ref.min(i + bw);
        let y = if i > 1 { 1.0 } else { 0.0 };
        let qli1 = qual[i];
        let qyi1 = query[i];
        let row = i * i_dim;
        let next = (i + 1) * i_dim;
        let e1 = EI * m[1];
        let e4 = EI * m[4];
        let n = 1.0 / s[i];
        let mut u = set_u(i, end);
        let mut v10 = set_u(i + 1, end);
        let mut xi_5 = b[row + u + 5];
        let mut k = end;
        loop {
            let e = if k >= l_ref {
                0.0
            } else {
                let r = reference[k];
                let em = if r > 3 || qyi1 > 3 {
                    1.0
                } else if r == qyi1 {
                    1.0 - qli1
                } else {
                    qli1 * EM
                };
                em * b[next + v10 + 3]
            };
            let x1 = e * m[3] + e4 * b[next + v10 + 1];
            let x0 = e * m[0] + e1 * b[next + v10 + 1] + m[2] * xi_5;
            let x2 = (e * m[6] + m[8] * xi_5) * y;
            xi_5 = x2;
            b[row + u + 1] = x1 * n;
            b[row + u] = x0 * n;
            b[row + u + 2] = x2 * n;
            if k == beg {
                break;
            }
            k -= 1;
            u -= 3;
            v10 -= 3;
        }
    }
    // Maximum a posteriori state per base.
    for i in 1..=l_query {
        let beg = if i > bw { i - bw } else { 1 };
        let end = l_ref.min(i + bw);
        let mm = 1.0 / s[i];
        let row = i * i_dim;
        let (mut sum, mut max, mut max_k) = (0.0f64, 0.0f64, -1i64);
        let mut u = set_u(i, beg);
        for k in beg..=end {
            let z1 = mm * f[row + u] * b[row + u];
            let z2 = mm * f[row + u + 1] * b[row + u + 1];
            let which = z2 > z1;
            let zm = if which { z2 } else { z1 };
            if zm > max {
                max = zm;
                max_k = ((k as i64 - 1) << 2) | i64::from(which);
            }
            sum += z1 + z2;
            u += 3;
        }
        max /= sum;
        state[i - 1] = max_k;
        let k = (-4.343 * (1.0 - max).ln() + 0.499) as i64;
        q[i - 1] = if k > 100 { 99 } else { k.max(0) as u8 };
    }
    (state, q)
}

/// A stretch of reference sequence: 0-based `start`, the bases, and the contig's length.
#[derive(Clone, Debug)]
pub struct RefWindow {
    /// 0-based position of `bases[0]`.
    pub start: i64,
    /// The bases.
    pub bases: Vec<u8>,
    /// Length of the whole contig.
    pub contig_len: i64,
}

/// Applies extended BAQ to `read`'s qualities against `reference`. Returns false when it
/// cannot (no aligned base, a skipped region, or the reference window does not cover the
/// read), leaving the qualities as they were.
pub fn apply(read: &mut Read, reference: &RefWindow) -> bool {
    let lq = read.seq.len() as i64;
    if lq == 0 || read.qual.len() != read.seq.len() {
        return false;
    }
    let (mut x, mut y) = (read.start, 0i64);
    let (mut yb, mut ye, mut xb, mut xe) = (-1i64, -1i64, -1i64, -1i64);
    for &(c, l) in &read.cigar {
        let l = i64::from(l);
        if op::is_match(c) {
            if yb < 0 {
                yb = y;
            }
            if xb < 0 {
                xb = x;
            }
            ye = y + l;
            xe = x + l;
            x += l;
            y += l;
        } else if c == op::SOFT_CLIP || c == op::INS {
            y += l;
        } else if c == op::DEL {
            x += l;
        } else if c == op::SKIP {
            return false;
        }
    }
    if xb == -1 {
        return false;
    }
    let mut bw: i64 = 7;
    let gap = ((xe - xb) - (ye - yb)).abs();
    if gap > bw {
        bw = gap + 3;
    }
    xb -= yb + bw / 2;
    if xb < 0 {
        xb = 0;
    }
    xe += lq - ye + bw / 2;
    if xe - xb - lq > bw {
        xb += (xe - xb - lq - bw) / 2;
        xe -= (xe - xb - lq - bw) / 2;
    }
    if xe > reference.contig_len {
        xe = reference.contig_len;
    }
    let window_end = reference.start + reference.bases.len() as i64;
    if xb < reference.start || xe > window_end || xe <= xb {
        return false;
    }
    let tref: Vec<u8> = reference.bases
        [(xb - reference.start) as usize..(xe - reference.start) as usize]
        .iter()
        .map(|&b| code(b))
        .collect();
    let tseq: Vec<u8> = read.seq.iter().map(|&b| code(b)).collect();
    let params = Params {
        d: if lq > 1000 { 1e-7 } else { 0.001 },
        e: 0.1,
        bw: bw as usize,
    };
    let (state, q) = glocal(&tref, &tseq, &read.qual, &params);
    let mut bq: Vec<u8> = read.qual.clone();
    let (mut x, mut y) = (read.start, 0i64);
    let mut pending = 0i64;
    let cigar = read.cigar.clone();
    for (k, &(c, l)) in cigar.iter().enumerate() {
        let mut l = i64::from(l);
        if op::is_match(c) {
            if cigar.get(k + 1).is_some_and(|(n, _)| op::is_match(*n)) {
                pending += l;
                continue;
            }
            l += pending;
            pending = 0;
        }
        if l == 0 {
            continue;
        }
        if op::is_match(c) {
            if l > lq - y {
                l = lq - y;
            }
            let (ys, ylen) = (y as usize, l as usize);
            for i in ys..ys + ylen {
                let expected = x - xb + (i as i64 - y);
                bq[i] = if state[i] & 3 != 0 || state[i] >> 2 != expected {
                    0
                } else {
                    q[i]
                };
            }
            let mut left = vec![0u8; ylen];
            let mut right = vec![0u8; ylen];
            for j in 0..ylen {
                left[j] = if j == 0 {
                    bq[ys]
                } else {
                    bq[ys + j].max(left[j - 1])
                };
            }
            for j in (0..ylen).rev() {
                right[j] = if j + 1 == ylen {
                    bq[ys + j]
                } else {
                    bq[ys + j].max(right[j + 1])
                };
            }
            for j in 0..ylen {
                bq[ys + j] = left[j].min(right[j]);
            }
            x += l;
            y += l;
        } else if c == op::SOFT_CLIP || c == op::INS {
            if l > lq - y {
                l = lq - y;
            }
            y += l;
        } else if c == op::DEL {
            x += l;
        }
    }
    for (qv, b) in read.qual.iter_mut().zip(&bq) {
        if *qv > *b {
            *qv = *b;
        }
    }
    true
}
