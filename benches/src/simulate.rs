//! A cohort simulator: bgzipped VCF 4.2 with `GT:AD:DP:GQ:PL`, a neutral allele-frequency
//! spectrum, per-sample depth and missingness, SNPs (Ti/Tv about 2), indels and tri-allelic
//! sites, and a tabix index built while writing.
//!
//! Every record is generated from its own random stream, seeded from the run's seed and the
//! record's index, so the output bytes depend only on the [`Config`], never on the thread
//! count.
//!
//! Allele frequencies follow the neutral site-frequency spectrum, P(AC = i) ∝ 1/i: the
//! alternate frequency is `f = (2N)^(u - 1)` for `u` uniform in `[0, 1)`, so most sites are
//! rare and a few are common, as in a real cohort. Genotypes are drawn under Hardy–Weinberg
//! equilibrium from `f`.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::Path,
};

use rayon::prelude::*;

use crate::{bgzf, tabix};

/// GRCh37 autosome lengths, chromosomes 1 to 22.
pub const AUTOSOME_LENGTHS: [u64; 22] = [
    249_250_621,
    243_199_373,
    198_022_430,
    191_154_276,
    180_915_260,
    171_115_067,
    159_138_663,
    146_364_022,
    141_213_431,
    135_534_747,
    135_006_516,
    133_851_895,
    115_169_878,
    107_349_540,
    102_531_392,
    90_354_753,
    81_195_210,
    78_077_248,
    59_128_983,
    63_025_520,
    48_129_895,
    51_304_566,
];

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Number of samples (columns).
    pub samples: usize,
    /// Number of VCF records (lines).
    pub variants: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Mean fraction of missing (`./.`) calls per sample.
    pub missing_rate: f64,
    /// Fraction of records with two alternate alleles.
    pub multiallelic_rate: f64,
    /// Fraction of records that are indels.
    pub indel_rate: f64,
    /// How many autosomes (1..=22) the records are spread over, in proportion to length.
    pub contigs: usize,
    /// BGZF compression level (0-9).
    pub level: i32,
}

impl Config {
    /// Defaults: 1% missing calls, 5% tri-allelic records, 10% indels, 22 autosomes,
    /// compression level 6 (bgzip's default).
    pub fn new(samples: usize, variants: usize, seed: u64) -> Self {
        Self {
            samples,
            variants,
            seed,
            missing_rate: 0.01,
            multiallelic_rate: 0.05,
            indel_rate: 0.10,
            contigs: 22,
            level: 6,
        }
    }
}

/// Counts describing one simulated file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written.
    pub records: u64,
    /// Records with two alternate alleles.
    pub multiallelic: u64,
    /// Records with an indel allele.
    pub indels: u64,
    /// `./.` calls.
    pub missing_calls: u64,
    /// Calls with at least one alternate allele.
    pub non_reference_calls: u64,
    /// Uncompressed VCF bytes.
    pub uncompressed_bytes: u64,
    /// Compressed bytes (with the EOF block).
    pub compressed_bytes: u64,
}

/// A small, fast generator (wyrand). Not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for stream `stream` of run `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        Rng(splitmix64(
            seed ^ splitmix64(stream.wrapping_add(0x9e37_79b9_7f4a_7c15)),
        ))
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) ^ t) as u64
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (n > 0).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Per-sample traits: mean depth and missingness.
#[derive(Clone, Debug)]
struct SampleTraits {
    mean_depth: u32,
    /// A call is missing when 32 random bits fall below this.
    missing_threshold: u32,
}

fn sample_traits(config: &Config) -> Vec<SampleTraits> {
    let mut rng = Rng::new(config.seed, u64::MAX);
    (0..config.samples)
        .map(|_| {
            let mean_depth = 12 + rng.below(29) as u32;
            // Most samples near the mean rate; 2% are poor samples with 10x the rate.
            let mut rate = config.missing_rate * (0.25 + 1.5 * rng.next_f64());
            if rng.below(50) == 0 {
                rate *= 10.0;
            }
            let missing_threshold = (rate.clamp(0.0, 1.0) * f64::from(u32::MAX)) as u32;
            SampleTraits {
                mean_depth,
                missing_threshold,
            }
        })
        .collect()
}

/// Contig index and 1-based position of every record, in file order.
fn site_positions(config: &Config) -> Vec<(usize, u64)> {
    let contigs = config.contigs.clamp(1, 22);
    let lengths = &AUTOSOME_LENGTHS[..contigs];
    let total: u64 = lengths.iter().sum();
    let mut rng = Rng::new(config.seed, u64::MAX - 1);
    let mut positions = Vec::with_capacity(config.variants);
    let mut assigned = 0usize;
    for (contig, &length) in lengths.iter().enumerate() {
        let count = if contig + 1 == contigs {
            config.variants - assigned
        } else {
            ((config.variants as u128 * u128::from(length)) / u128::from(total)) as usize
        };
        assigned += count;
        if count == 0 {
            continue;
        }
        // Gaps uniform in 1..2*mean keep the records inside the contig on average.
        let mean_gap = (length / (count as u64 + 1)).max(1);
        let mut position = 0u64;
        for _ in 0..count {
            position += 1 + rng.below(2 * mean_gap - 1);
            positions.push((contig, position));
        }
    }
    positions
}

const BASES: [u8; 4] = *b"ACGT";

fn transition(base: u8) -> u8 {
    match base {
        b'A' => b'G',
        b'G' => b'A',
        b'C' => b'T',
        _ => b'C',
    }
}

fn random_base(rng: &mut Rng) -> u8 {
    BASES[rng.below(4) as usize]
}

/// A SNP alternate base: a transition two times in three.
fn snp_alternate(rng: &mut Rng, reference: u8, not: Option<u8>) -> u8 {
    let alternate = if rng.below(3) < 2 {
        transition(reference)
    } else {
        let transversions: Vec<u8> = BASES
            .iter()
            .copied()
            .filter(|&b| b != reference && b != transition(reference))
            .collect();
        transversions[rng.below(2) as usize]
    };
    if Some(alternate) != not {
        return alternate;
    }
    // The second SNP allele of a tri-allelic site: any other base.
    let others: Vec<u8> = BASES
        .iter()
        .copied()
        .filter(|&b| b != reference && Some(b) != not)
        .collect();
    others[rng.below(others.len() as u64) as usize]
}

fn random_bases(rng: &mut Rng, n: usize, out: &mut Vec<u8>) {
    for _ in 0..n {
        out.push(random_base(rng));
    }
}

/// REF and ALT alleles of one record.
fn alleles(rng: &mut Rng, config: &Config) -> (Vec<u8>, Vec<Vec<u8>>, bool) {
    let multiallelic = rng.next_f64() < config.multiallelic_rate;
    let indel = rng.next_f64() < config.indel_rate;
    let anchor = random_base(rng);
    if !indel {
        let first = snp_alternate(rng, anchor, None);
        let mut alternates = vec![vec![first]];
        if multiallelic {
            alternates.push(vec![snp_alternate(rng, anchor, Some(first))]);
        }
        return (vec![anchor], alternates, false);
    }
    let length = 1 + rng.below(6) as usize;
    let mut reference = vec![anchor];
    let mut alternates = Vec::new();
    if rng.below(2) == 0 {
        // Deletion: REF is the anchor plus the deleted bases.
        random_bases(rng, length, &mut reference);
        alternates.push(vec![anchor]);
    } else {
        // Insertion: ALT is the anchor plus the inserted bases.
        let mut alternate = vec![anchor];
        random_bases(rng, length, &mut alternate);
        alternates.push(alternate);
    }
    if multiallelic {
        // A SNP on the anchor, keeping the rest of REF.
        let mut snp = reference.clone();
        snp[0] = snp_alternate(rng, anchor, None);
        alternates.push(snp);
    }
    (reference, alternates, true)
}

/// Neutral-SFS alternate allele frequency for `2n` chromosomes.
fn neutral_frequency(rng: &mut Rng, chromosomes: f64) -> f64 {
    chromosomes.powf(rng.next_f64() - 1.0)
}

/// Appends the decimal digits of `value`.
#[inline]
fn push_u32(out: &mut Vec<u8>, mut value: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

const MAX_CACHED_DEPTH: u32 = 160;
const PL_CAP: u32 = 9999;

/// Writes `:AD:DP:GQ:PL` for a call with these alleles and allele depths.
fn push_fields(out: &mut Vec<u8>, depths: &[u32]) {
    let n = depths.len();
    let dp: u32 = depths.iter().sum();
    out.push(b':');
    for (i, d) in depths.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_u32(out, *d);
    }
    out.push(b':');
    push_u32(out, dp);
    // PL over genotypes in VCF order (j <= k): reads supporting neither allele cost 30 each,
    // and a heterozygote costs 3 per read of imbalance.
    let mut pls = [0u32; 6];
    let mut count = 0;
    for k in 0..n {
        for j in 0..=k {
            let supporting = if j == k {
                depths[j]
            } else {
                depths[j] + depths[k]
            };
            let imbalance = if j == k {
                0
            } else {
                depths[j].abs_diff(depths[k])
            };
            pls[count] = 30 * (dp - supporting) + 3 * imbalance;
            count += 1;
        }
    }
    let minimum = pls[..count].iter().copied().min().unwrap_or(0);
    let mut sorted = [u32::MAX; 6];
    for (i, pl) in pls[..count].iter_mut().enumerate() {
        *pl = (*pl - minimum).min(PL_CAP);
        sorted[i] = *pl;
    }
    sorted[..count].sort_unstable();
    let gq = if count > 1 { sorted[1].min(99) } else { 0 };
    out.push(b':');
    push_u32(out, gq);
    out.push(b':');
    for (i, pl) in pls[..count].iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_u32(out, *pl);
    }
}

/// `:AD:DP:GQ:PL` of a homozygous-reference call, by depth, for 2 and 3 alleles.
struct HomRefCache {
    fields: [Vec<Vec<u8>>; 2],
}

impl HomRefCache {
    fn new() -> Self {
        let build = |alleles: usize| {
            (0..=MAX_CACHED_DEPTH)
                .map(|dp| {
                    let mut depths = vec![0u32; alleles];
                    depths[0] = dp;
                    let mut out = Vec::new();
                    push_fields(&mut out, &depths);
                    out
                })
                .collect()
        };
        HomRefCache {
            fields: [build(2), build(3)],
        }
    }
}

/// Everything one record contributes to the file and its index.
struct RecordOut {
    line: Vec<u8>,
    contig: usize,
    start0: u64,
    end0: u64,
    multiallelic: bool,
    indel: bool,
    missing_calls: u64,
    non_reference_calls: u64,
}

struct Context<'a> {
    config: &'a Config,
    traits: &'a [SampleTraits],
    positions: &'a [(usize, u64)],
    cache: &'a HomRefCache,
}

fn simulate_record(ctx: &Context<'_>, index: usize) -> RecordOut {
    let config = ctx.config;
    let mut rng = Rng::new(config.seed, index as u64);
    let (contig, position) = ctx.positions[index];
    let (reference, alternates, indel) = alleles(&mut rng, config);
    let n_alleles = 1 + alternates.len();
    let chromosomes = (2 * config.samples.max(1)) as f64;

    // Allele thresholds on 32 random bits: below t1 -> allele 1, below t2 -> allele 2.
    let mut frequencies: Vec<f64> = (0..alternates.len())
        .map(|_| neutral_frequency(&mut rng, chromosomes))
        .collect();
    let sum: f64 = frequencies.iter().sum();
    if sum > 0.95 {
        frequencies.iter_mut().for_each(|f| *f *= 0.95 / sum);
    }
    let scale = f64::from(u32::MAX);
    let t1 = (frequencies[0] * scale) as u64;
    let t2 = t1 + frequencies.get(1).map_or(0, |f| (f * scale) as u64);
    let draw = |bits: u64| -> usize {
        if bits < t1 {
            1
        } else if bits < t2 {
            2
        } else {
            0
        }
    };

    let mut samples = Vec::with_capacity(config.samples * 24);
    let mut allele_counts = [0u32; 3];
    let mut called_alleles = 0u32;
    let mut total_depth = 0u64;
    let mut missing_calls = 0u64;
    let mut non_reference_calls = 0u64;
    let cache = &ctx.cache.fields[n_alleles - 2];
    for traits in ctx.traits {
        samples.push(b'\t');
        let r1 = rng.next_u64();
        let r2 = rng.next_u64();
        if ((r2 & 0xffff_ffff) as u32) < traits.missing_threshold {
            samples.extend_from_slice(b"./.");
            missing_calls += 1;
            continue;
        }
        let a = draw(r1 & 0xffff_ffff);
        let b = draw(r1 >> 32);
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        let noise = (r2 >> 32) as u32;
        let depth = (traits.mean_depth + noise % 17).saturating_sub(8).max(1);
        total_depth += u64::from(depth);
        allele_counts[first] += 1;
        allele_counts[second] += 1;
        called_alleles += 2;
        if first == 0 && second == 0 && depth <= MAX_CACHED_DEPTH {
            samples.extend_from_slice(b"0/0");
            samples.extend_from_slice(&cache[depth as usize]);
            continue;
        }
        non_reference_calls += 1;
        samples.push(b'0' + first as u8);
        samples.push(b'/');
        samples.push(b'0' + second as u8);
        let mut depths = [0u32; 3];
        if first == second {
            depths[first] = depth;
        } else {
            let imbalance = ((noise >> 8) % 5) as i64 - 2;
            let reads_first = (i64::from(depth / 2) + imbalance).clamp(0, i64::from(depth)) as u32;
            depths[first] = reads_first;
            depths[second] = depth - reads_first;
        }
        push_fields(&mut samples, &depths[..n_alleles]);
    }

    let mut line = Vec::with_capacity(samples.len() + 128);
    push_u32(&mut line, contig as u32 + 1);
    line.push(b'\t');
    line.extend_from_slice(position.to_string().as_bytes());
    line.push(b'\t');
    if rng.below(3) == 0 {
        line.extend_from_slice(b"rs");
        line.extend_from_slice((index as u64 + 1_000_000).to_string().as_bytes());
    } else {
        line.push(b'.');
    }
    line.push(b'\t');
    line.extend_from_slice(&reference);
    line.push(b'\t');
    for (i, alternate) in alternates.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(alternate);
    }
    let quality = 20.0 + 5000.0 * rng.next_f64() * rng.next_f64();
    line.extend_from_slice(format!("\t{quality:.2}\t").as_bytes());
    line.extend_from_slice(if rng.below(20) == 0 {
        b"LowQual"
    } else {
        b"PASS"
    });
    line.extend_from_slice(b"\tAC=");
    for (i, count) in allele_counts[1..n_alleles].iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_u32(&mut line, *count);
    }
    line.extend_from_slice(b";AN=");
    push_u32(&mut line, called_alleles);
    line.extend_from_slice(b";DP=");
    line.extend_from_slice(total_depth.to_string().as_bytes());
    line.extend_from_slice(b"\tGT:AD:DP:GQ:PL");
    line.extend_from_slice(&samples);
    line.push(b'\n');

    let start0 = position - 1;
    RecordOut {
        line,
        contig,
        start0,
        end0: start0 + reference.len() as u64,
        multiallelic: n_alleles > 2,
        indel,
        missing_calls,
        non_reference_calls,
    }
}

/// The text of records `range` (without their newlines), exactly as [`write`] writes them;
/// for benchmarks and tests that need realistic lines without a file.
pub fn record_lines(config: &Config, range: std::ops::Range<usize>) -> Vec<String> {
    let traits = sample_traits(config);
    let positions = site_positions(config);
    let cache = HomRefCache::new();
    let ctx = Context {
        config,
        traits: &traits,
        positions: &positions,
        cache: &cache,
    };
    range
        .map(|i| {
            let mut line = simulate_record(&ctx, i).line;
            line.pop();
            String::from_utf8(line).expect("the simulator writes ASCII")
        })
        .collect()
}

/// Sample names: `SIM000001`, `SIM000002`, ...
pub fn sample_name(index: usize) -> String {
    format!("SIM{:06}", index + 1)
}

/// The VCF header for `config`.
pub fn header(config: &Config) -> String {
    let mut h = String::new();
    h.push_str("##fileformat=VCFv4.2\n");
    h.push_str("##FILTER=<ID=PASS,Description=\"All filters passed\">\n");
    h.push_str("##FILTER=<ID=LowQual,Description=\"Low quality\">\n");
    h.push_str("##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes, for each ALT allele\">\n");
    h.push_str("##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n");
    h.push_str(
        "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Combined depth across samples\">\n",
    );
    h.push_str("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
    h.push_str("##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths for the ref and alt alleles in the order listed\">\n");
    h.push_str("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Approximate read depth\">\n");
    h.push_str("##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype Quality\">\n");
    h.push_str("##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"Normalized, Phred-scaled likelihoods for genotypes as defined in the VCF specification\">\n");
    for (i, length) in AUTOSOME_LENGTHS[..config.contigs.clamp(1, 22)]
        .iter()
        .enumerate()
    {
        h.push_str(&format!("##contig=<ID={},length={length}>\n", i + 1));
    }
    h.push_str(&format!(
        "##source=provar-simulate {} --samples {} --variants {} --seed {} --missing-rate {} --multiallelic-rate {} --indel-rate {} --contigs {}\n",
        env!("CARGO_PKG_VERSION"),
        config.samples,
        config.variants,
        config.seed,
        config.missing_rate,
        config.multiallelic_rate,
        config.indel_rate,
        config.contigs,
    ));
    h.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT");
    for i in 0..config.samples {
        h.push('\t');
        h.push_str(&sample_name(i));
    }
    h.push('\n');
    h
}

/// Writes the simulated cohort to `path` (BGZF) and, when `index` is set, `path.tbi`.
/// Records are generated and compressed on the current rayon pool.
pub fn write(config: &Config, path: &Path, index: bool) -> io::Result<Summary> {
    let traits = sample_traits(config);
    let positions = site_positions(config);
    let cache = HomRefCache::new();
    let ctx = Context {
        config,
        traits: &traits,
        positions: &positions,
        cache: &cache,
    };

    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut writer = bgzf::Writer::new(file, config.level);
    writer.write_all(header(config).as_bytes())?;

    let mut summary = Summary::default();
    let mut entries = Vec::with_capacity(if index { positions.len() } else { 0 });
    // About 32 MiB of text per batch, whatever the sample count.
    let per_record = 24 * config.samples.max(1) + 128;
    let batch = ((32usize << 20) / per_record).clamp(1, 65_536);
    let mut start = 0;
    while start < positions.len() {
        let end = (start + batch).min(positions.len());
        let records: Vec<RecordOut> = (start..end)
            .into_par_iter()
            .map(|i| simulate_record(&ctx, i))
            .collect();
        for record in records {
            let stream_start = writer.stream_len();
            writer.write_all(&record.line)?;
            if index {
                entries.push(tabix::Entry {
                    contig: record.contig,
                    start0: record.start0,
                    end0: record.end0,
                    stream_start,
                    stream_end: writer.stream_len(),
                });
            }
            summary.records += 1;
            summary.multiallelic += u64::from(record.multiallelic);
            summary.indels += u64::from(record.indel);
            summary.missing_calls += record.missing_calls;
            summary.non_reference_calls += record.non_reference_calls;
        }
        start = end;
    }
    summary.uncompressed_bytes = writer.stream_len();
    let (mut file, blocks) = writer.finish()?;
    file.flush()?;
    summary.compressed_bytes = blocks.compressed_len() + bgzf::EOF_BLOCK.len() as u64;
    drop(file);

    if index {
        let names: Vec<String> = (1..=config.contigs.clamp(1, 22))
            .map(|i| i.to_string())
            .collect();
        let tbi = tabix::build(&names, &entries, &blocks);
        let mut tbi_path = path.as_os_str().to_owned();
        tbi_path.push(".tbi");
        std::fs::write(tbi_path, bgzf::compress_all(&tbi, 6)?)?;
    }
    Ok(summary)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn neutral_spectrum_is_mostly_rare() {
        let mut rng = Rng::new(1, 2);
        let n = 100_000;
        let rare = (0..n)
            .filter(|_| neutral_frequency(&mut rng, 2000.0) < 0.01)
            .count();
        // P(f < 0.01) = 1 - ln(100)/ln(2000) ~ 0.39
        assert!((rare as f64 / n as f64 - 0.394).abs() < 0.01, "{rare}");
    }

    #[test]
    fn hom_ref_fields() {
        let mut out = Vec::new();
        push_fields(&mut out, &[10, 0]);
        assert_eq!(out, b":10,0:10:30:0,30,300");
        let mut out = Vec::new();
        push_fields(&mut out, &[6, 5]);
        assert_eq!(out, b":6,5:11:99:147,0,177");
    }
}
