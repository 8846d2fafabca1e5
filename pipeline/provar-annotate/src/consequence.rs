//! Consequence annotations already in the VCF — Ensembl VEP's `CSQ`, SnpEff's `ANN` and
//! bcftools/csq's `BCSQ` — split into typed rows the way `bcftools +split-vep -d` does, with
//! the most severe consequence of each allele marked as `bcftools +split-vep -s worst` marks it.
//!
//! The sub-field names come from the INFO header's `Description` (`Format: A|B|C` for CSQ
//! and BCSQ, `'A | B | C'` for ANN), which `provar ingest` keeps as column metadata of
//! `info.parquet`. An entry belongs to a split row when its `ALLELE_NUM` is that row's
//! allele index, else when its `Allele` is that row's ALT (as VEP writes it: without the
//! first base when every allele shares it, `-` for nothing left; or as written), else — no
//! allele sub-field, as in BCSQ — to every row of the record.

use std::{path::Path, sync::Arc};

use provar_io::{
    arrow_array::{
        builder::{BooleanBuilder, MapBuilder, StringBuilder, UInt32Builder, UInt8Builder},
        Array, ArrayRef, ListArray, RecordBatch, StringArray, UInt32Array, UInt64Array,
    },
    arrow_schema::{DataType, Field, Schema},
    table::{self, column, Finished, Table, TableDef, TableWriter, INFO_DESCRIPTION_KEY},
};

use crate::AnnotateError;

/// The INFO keys read, in this order.
pub const CONSEQUENCE_TAGS: [&str; 3] = ["CSQ", "ANN", "BCSQ"];

/// The name of the consequences table (`consequences.parquet`).
pub const CONSEQUENCES_TABLE: &str = "consequences";

/// `bcftools +split-vep`'s default severity scale (`bcftools +split-vep -S -`, bcftools
/// 1.16), least severe first: a term's severity is the highest line with an entry that is a
/// substring of it. Lines are Ensembl's consequence order
/// (<https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html>).
pub const SEVERITY_SCALE: &[&[&str]] = &[
    &["intergenic"],
    &["feature_truncation", "feature_elongation"],
    &["regulatory"],
    &["TF_binding_site", "TFBS"],
    &["downstream", "upstream"],
    &["non_coding_transcript", "non_coding"],
    &["intron", "NMD_transcript"],
    &["non_coding_transcript_exon"],
    &["5_prime_utr", "3_prime_utr"],
    &["coding_sequence", "mature_miRNA"],
    &["stop_retained", "start_retained", "synonymous"],
    &["incomplete_terminal_codon"],
    &["splice_region"],
    &["missense", "inframe", "protein_altering"],
    &["transcript_amplification"],
    &["exon_loss"],
    &["disruptive"],
    &["start_lost", "stop_lost", "stop_gained", "frameshift"],
    &["splice_acceptor", "splice_donor"],
    &["transcript_ablation"],
];

/// The severity of one consequence term (1 = least severe), or `None` for a term on no line
/// of [`SEVERITY_SCALE`]. Matching ignores ASCII case (VEP writes `5_prime_UTR_variant`).
///
/// ```
/// use provar_annotate::consequence::severity;
/// assert!(severity("stop_gained").unwrap() > severity("missense_variant").unwrap());
/// assert!(severity("missense_variant").unwrap() > severity("5_prime_UTR_variant").unwrap());
/// assert_eq!(severity("not_a_term"), None);
/// ```
pub fn severity(term: &str) -> Option<u8> {
    let term = term.trim_start_matches('*').to_ascii_lowercase();
    SEVERITY_SCALE
        .iter()
        .enumerate()
        .rev()
        .find(|(_, line)| line.iter().any(|s| term.contains(&s.to_ascii_lowercase())))
        .map(|(i, _)| i as u8 + 1)
}

/// The most severe of the `&`-joined terms of a consequence, with its severity; the first
/// such term on ties; `None` when no term is on the scale.
pub fn most_severe(consequence: &str) -> Option<(&str, u8)> {
    let mut best: Option<(&str, u8)> = None;
    for term in consequence.split('&') {
        if let Some(s) = severity(term) {
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((term.trim_start_matches('*'), s));
            }
        }
    }
    best
}

/// The sub-field names of a consequence annotation, from its header `Description`:
/// the text after `Format:` (VEP, bcftools/csq) or inside the first pair of single quotes
/// (SnpEff), split at `|`, trimmed, with bcftools/csq's `[*]` and brackets removed.
///
/// ```
/// use provar_annotate::consequence::field_names;
/// assert_eq!(field_names("Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL").unwrap(),
///            ["Allele", "Consequence", "SYMBOL"]);
/// assert_eq!(field_names("Functional annotations: 'Allele | Annotation | Gene_Name' ").unwrap(),
///            ["Allele", "Annotation", "Gene_Name"]);
/// assert_eq!(field_names("Local consequence annotation from BCFtools/csq. Format: '[*]consequence|gene|transcript|biotype[|strand]' or ...").unwrap(),
///            ["consequence", "gene", "transcript", "biotype", "strand"]);
/// assert_eq!(field_names("no format here"), None);
/// ```
pub fn field_names(description: &str) -> Option<Vec<String>> {
    let rest = match description.find("Format:") {
        Some(i) => description[i + "Format:".len()..].trim(),
        None => {
            let start = description.find('\'')?;
            &description[start..]
        }
    };
    let rest = match rest.strip_prefix('\'') {
        Some(quoted) => &quoted[..quoted.find('\'').unwrap_or(quoted.len())],
        None => rest.trim_end_matches(['"', '\'']),
    };
    let cleaned = rest.replace("[*]", "").replace(['[', ']'], "");
    let names: Vec<String> = cleaned.split('|').map(|n| n.trim().to_owned()).collect();
    (names.len() > 1 || names.first().is_some_and(|n| !n.is_empty())).then_some(names)
}

/// Where the typed columns come from: for each, the sub-field names that fill it (exact
/// case), VEP's first, then SnpEff's, then bcftools/csq's.
const TYPED: [(&str, &[&str]); 8] = [
    ("consequence", &["Consequence", "Annotation", "consequence"]),
    ("impact", &["IMPACT", "Annotation_Impact"]),
    ("gene_id", &["Gene", "Gene_ID"]),
    ("gene_name", &["SYMBOL", "Gene_Name", "gene"]),
    ("feature", &["Feature", "Feature_ID", "transcript"]),
    ("biotype", &["BIOTYPE", "Transcript_BioType", "biotype"]),
    ("hgvs_c", &["HGVSc", "HGVS.c", "dna_change"]),
    ("hgvs_p", &["HGVSp", "HGVS.p", "amino_acid_change"]),
];

/// The consequences table's definition.
pub fn consequences_table() -> TableDef {
    let utf8 = |name: &str| Field::new(name, DataType::Utf8, true);
    let map_type = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())
        .finish()
        .data_type()
        .clone();
    let mut fields = vec![
        Field::new("variant_index", DataType::UInt64, false),
        Field::new("variant_key", DataType::Utf8, false),
        Field::new("tag", DataType::Utf8, false),
        Field::new("entry", DataType::UInt32, false),
        utf8("allele"),
    ];
    fields.extend(TYPED.iter().take(1).map(|(n, _)| utf8(n)));
    fields.push(utf8("most_severe_term"));
    fields.push(Field::new("severity", DataType::UInt8, true));
    fields.push(Field::new("is_worst", DataType::Boolean, false));
    fields.extend(TYPED.iter().skip(1).map(|(n, _)| utf8(n)));
    fields.push(Field::new("fields", map_type, false));
    TableDef {
        name: CONSEQUENCES_TABLE,
        version: 1,
        schema: Arc::new(Schema::new(fields)),
    }
}

/// Counts describing one run of [`run`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsequenceSummary {
    /// The INFO keys found with their sub-field counts, in [`CONSEQUENCE_TAGS`] order.
    pub tags: Vec<(String, usize)>,
    /// Rows written (entries assigned to split rows).
    pub rows: u64,
    /// Split rows with at least one entry.
    pub annotated_variants: u64,
    /// Split rows read.
    pub variants: u64,
}

/// One parsed tag: its key, its sub-field names and where the typed columns are.
struct Tag {
    key: &'static str,
    names: Vec<String>,
    typed: Vec<Option<usize>>,
    allele: Option<usize>,
    allele_num: Option<usize>,
}

impl Tag {
    fn new(key: &'static str, names: Vec<String>) -> Self {
        let find = |wanted: &str| names.iter().position(|n| n == wanted);
        let typed = TYPED
            .iter()
            .map(|(_, sources)| sources.iter().find_map(|s| find(s)))
            .collect();
        Tag {
            key,
            allele: find("Allele"),
            allele_num: find("ALLELE_NUM"),
            names,
            typed,
        }
    }
}

/// The consequence sub-field of an entry's values, when present and not empty.
fn consequence_of<'e>(tag: &Tag, values: &[&'e str]) -> Option<&'e str> {
    tag.typed[0]
        .and_then(|k| values.get(k))
        .copied()
        .filter(|c| !c.is_empty())
}

/// How VEP writes an ALT in `CSQ/Allele`: without the first base when every allele of the
/// record (REF and ALTs, symbolic and `*` ones excluded) starts with the same base, `-` when
/// nothing is left.
///
/// ```
/// use provar_annotate::consequence::vep_allele;
/// assert_eq!(vep_allele("A", &["AT"], "AT"), "T");
/// assert_eq!(vep_allele("AT", &["A"], "A"), "-");
/// assert_eq!(vep_allele("A", &["G"], "G"), "G");
/// assert_eq!(vep_allele("A", &["AT", "G"], "AT"), "AT");
/// ```
pub fn vep_allele(reference: &str, alternates: &[&str], alternate: &str) -> String {
    fn plain(a: &str) -> bool {
        !a.starts_with('<') && a != "*" && !a.contains(['[', ']'])
    }
    let first = reference.as_bytes().first().map(u8::to_ascii_uppercase);
    let shared = first.is_some()
        && alternates
            .iter()
            .filter(|a| plain(a))
            .all(|a| a.as_bytes().first().map(u8::to_ascii_uppercase) == first)
        && alternates.iter().any(|a| plain(a));
    if !shared || !plain(alternate) {
        return alternate.to_owned();
    }
    let rest = &alternate[1..];
    if rest.is_empty() {
        "-".to_owned()
    } else {
        rest.to_owned()
    }
}

/// The consequence keys (CSQ, ANN, BCSQ) `info.parquet` in `tables_dir` carries with a
/// parsable description: what [`run`] would split. Reads the schema only.
pub fn tags_in(tables_dir: &Path) -> Result<Vec<&'static str>, AnnotateError> {
    let Some(schema) = table::schema_of(tables_dir, "info")? else {
        return Ok(Vec::new());
    };
    Ok(CONSEQUENCE_TAGS
        .into_iter()
        .filter(|key| {
            schema.field_with_name(key).ok().is_some_and(|field| {
                field
                    .metadata()
                    .get(INFO_DESCRIPTION_KEY)
                    .and_then(|d| field_names(d))
                    .is_some()
            })
        })
        .collect())
}

/// Reads `variants` and the CSQ, ANN and BCSQ columns of `info` from `tables_dir` and
/// writes `consequences` into `out_dir`. Returns `None` when `info.parquet` is absent or
/// has none of those keys with a parsable description.
pub fn run(
    tables_dir: &Path,
    out_dir: &Path,
) -> Result<Option<(Finished, ConsequenceSummary)>, AnnotateError> {
    let info_path = tables_dir.join("info.parquet");
    let Some((_, info_batches)) = table::read_any(tables_dir, "info")? else {
        return Ok(None);
    };
    let Some(first) = info_batches.first() else {
        return Ok(None);
    };
    let schema = first.schema();
    let mut tags = Vec::new();
    for key in CONSEQUENCE_TAGS {
        let Ok(field) = schema.field_with_name(key) else {
            continue;
        };
        let Some(names) = field
            .metadata()
            .get(INFO_DESCRIPTION_KEY)
            .and_then(|d| field_names(d))
        else {
            continue;
        };
        tags.push(Tag::new(key, names));
    }
    if tags.is_empty() {
        return Ok(None);
    }

    // Every split row's entries, per tag, from info (rows in variant_index order).
    let mut entries: Vec<Vec<Vec<Option<String>>>> = vec![Vec::new(); tags.len()];
    for batch in &info_batches {
        for (t, tag) in tags.iter().enumerate() {
            let list = column::<ListArray>(batch, tag.key, &info_path)?;
            for row in 0..batch.num_rows() {
                if list.is_null(row) {
                    entries[t].push(Vec::new());
                    continue;
                }
                let values = list.value(row);
                let values = values
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| {
                        AnnotateError::Table(table::Error::InvalidColumn {
                            path: info_path.clone(),
                            column: tag.key.to_owned(),
                            expected: "list of strings".to_owned(),
                        })
                    })?;
                entries[t].push(
                    (0..values.len())
                        .map(|i| (!values.is_null(i)).then(|| values.value(i).to_owned()))
                        .collect(),
                );
            }
        }
    }

    // The variants, grouped by record (consecutive rows with allele_index 1, 2, ...).
    let variants_path = tables_dir.join(Table::Variants.file_name());
    struct Row {
        index: u64,
        key: String,
        reference: String,
        alternate: Option<String>,
        allele_index: u32,
    }
    let mut rows = Vec::new();
    for batch in table::read(tables_dir, Table::Variants, 8192)? {
        let batch = batch?;
        let index = column::<UInt64Array>(&batch, "variant_index", &variants_path)?;
        let key = column::<StringArray>(&batch, "variant_key", &variants_path)?;
        let reference = column::<StringArray>(&batch, "reference_bases", &variants_path)?;
        let alternate = column::<StringArray>(&batch, "alternate_bases", &variants_path)?;
        let allele_index = column::<UInt32Array>(&batch, "allele_index", &variants_path)?;
        for r in 0..batch.num_rows() {
            rows.push(Row {
                index: index.value(r),
                key: key.value(r).to_owned(),
                reference: reference.value(r).to_owned(),
                alternate: (!alternate.is_null(r)).then(|| alternate.value(r).to_owned()),
                allele_index: allele_index.value(r),
            });
        }
    }

    let def = consequences_table();
    let mut writer = TableWriter::create(out_dir, def.clone())?;
    let mut summary = ConsequenceSummary {
        tags: tags
            .iter()
            .map(|t| (t.key.to_owned(), t.names.len()))
            .collect(),
        ..Default::default()
    };
    let mut out = Builders::default();
    let mut start = 0;
    while start < rows.len() {
        // One record: this row and the following ones that continue its allele numbering.
        let mut end = start + 1;
        while end < rows.len()
            && rows[end].allele_index == rows[end - 1].allele_index + 1
            && rows[end].reference == rows[start].reference
        {
            end += 1;
        }
        let alternates: Vec<&str> = rows[start..end]
            .iter()
            .filter_map(|r| r.alternate.as_deref())
            .collect();
        for row in &rows[start..end] {
            summary.variants += 1;
            let position = row.index as usize;
            let mut any = false;
            for (t, tag) in tags.iter().enumerate() {
                let Some(list) = entries[t].get(position) else {
                    continue;
                };
                let alt = row.alternate.as_deref().unwrap_or(".");
                let vep = vep_allele(&row.reference, &alternates, alt);
                // (entry number, sub-field values) of the entries that belong to this row.
                let mine: Vec<(u32, Vec<&str>)> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| e.as_deref().map(|e| (i as u32 + 1, e)))
                    .map(|(i, e)| (i, e.split('|').collect::<Vec<_>>()))
                    .filter(|(_, v)| {
                        let get = |k: Option<usize>| k.and_then(|k| v.get(k)).copied();
                        if let Some(n) = get(tag.allele_num).and_then(|n| n.parse::<u32>().ok()) {
                            return n == row.allele_index;
                        }
                        match get(tag.allele) {
                            Some(a) if !a.is_empty() => a == alt || a == vep,
                            _ => true,
                        }
                    })
                    .collect();
                let worst = mine
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (_, v))| {
                        consequence_of(tag, v)
                            .and_then(most_severe)
                            .map(|(_, s)| (i, s))
                    })
                    .fold(None, |best: Option<(usize, u8)>, (i, s)| match best {
                        Some((_, b)) if b >= s => best,
                        _ => Some((i, s)),
                    })
                    .map(|(i, _)| i);
                for (i, (entry, values)) in mine.iter().enumerate() {
                    any = true;
                    summary.rows += 1;
                    let get = |k: Option<usize>| {
                        k.and_then(|k| values.get(k))
                            .copied()
                            .filter(|s| !s.is_empty())
                    };
                    out.variant_index.push(row.index);
                    out.variant_key.push(row.key.clone());
                    out.tag.append_value(tag.key);
                    out.entry.append_value(*entry);
                    out.allele.append_option(get(tag.allele));
                    let consequence = consequence_of(tag, values);
                    out.consequence.append_option(consequence);
                    let severe = consequence.and_then(most_severe);
                    out.most_severe_term.append_option(severe.map(|(t, _)| t));
                    out.severity.append_option(severe.map(|(_, s)| s));
                    out.is_worst.append_value(worst == Some(i));
                    for (b, k) in out.typed.iter_mut().zip(tag.typed.iter().skip(1)) {
                        b.append_option(get(*k));
                    }
                    for (n, name) in tag.names.iter().enumerate() {
                        out.fields.keys().append_value(name);
                        match values.get(n).filter(|s| !s.is_empty()) {
                            Some(v) => out.fields.values().append_value(v),
                            None => out.fields.values().append_null(),
                        }
                    }
                    out.fields.append(true).map_err(AnnotateError::Arrow)?;
                }
            }
            summary.annotated_variants += u64::from(any);
            if out.variant_index.len() >= 8192 {
                writer.write(&out.finish(&def)?)?;
            }
        }
        start = end;
    }
    writer.write(&out.finish(&def)?)?;
    Ok(Some((writer.finish()?, summary)))
}

/// Column builders of the consequences table.
struct Builders {
    variant_index: Vec<u64>,
    variant_key: Vec<String>,
    tag: StringBuilder,
    entry: UInt32Builder,
    allele: StringBuilder,
    consequence: StringBuilder,
    most_severe_term: StringBuilder,
    severity: UInt8Builder,
    is_worst: BooleanBuilder,
    typed: Vec<StringBuilder>,
    fields: MapBuilder<StringBuilder, StringBuilder>,
}

impl Default for Builders {
    fn default() -> Self {
        Builders {
            variant_index: Vec::new(),
            variant_key: Vec::new(),
            tag: StringBuilder::new(),
            entry: UInt32Builder::new(),
            allele: StringBuilder::new(),
            consequence: StringBuilder::new(),
            most_severe_term: StringBuilder::new(),
            severity: UInt8Builder::new(),
            is_worst: BooleanBuilder::new(),
            typed: (1..TYPED.len()).map(|_| StringBuilder::new()).collect(),
            fields: MapBuilder::new(None, StringBuilder::new(), StringBuilder::new()),
        }
    }
}

impl Builders {
    fn finish(&mut self, def: &TableDef) -> Result<RecordBatch, AnnotateError> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(std::mem::take(&mut self.variant_index))),
            Arc::new(StringArray::from(std::mem::take(&mut self.variant_key))),
            Arc::new(self.tag.finish()),
            Arc::new(self.entry.finish()),
            Arc::new(self.allele.finish()),
            Arc::new(self.consequence.finish()),
            Arc::new(self.most_severe_term.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.is_worst.finish()),
        ];
        columns.extend(
            self.typed
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        columns.push(Arc::new(self.fields.finish()));
        RecordBatch::try_new(def.schema.clone(), columns).map_err(AnnotateError::Arrow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_split_vep_scale() {
        // Substring matching: "splice_region_variant" is line 13, "intron_variant" line 7.
        assert_eq!(
            most_severe("splice_region_variant&intron_variant"),
            Some(("splice_region_variant", 13))
        );
        // "non_coding_transcript_exon_variant" contains entries of lines 6 and 8: the higher.
        assert_eq!(severity("non_coding_transcript_exon_variant"), Some(8));
        // bcftools/csq's '*' prefix (downstream of a stop) does not hide the term.
        assert_eq!(most_severe("*missense"), Some(("missense", 14)));
        assert_eq!(severity("5_prime_UTR_variant"), Some(9));
        assert_eq!(most_severe("."), None);
    }

    #[test]
    fn typed_columns_by_tool() {
        let vep = Tag::new(
            "CSQ",
            "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|BIOTYPE|HGVSc|HGVSp|ALLELE_NUM"
                .split('|')
                .map(String::from)
                .collect(),
        );
        assert_eq!(
            vep.typed,
            [
                Some(1),
                Some(2),
                Some(4),
                Some(3),
                Some(5),
                Some(6),
                Some(7),
                Some(8)
            ]
        );
        assert_eq!((vep.allele, vep.allele_num), (Some(0), Some(9)));
        let snpeff = Tag::new("ANN", field_names("Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p'").expect("ANN format"));
        assert_eq!(
            snpeff.typed,
            [
                Some(1),
                Some(2),
                Some(4),
                Some(3),
                Some(6),
                Some(7),
                Some(9),
                Some(10)
            ]
        );
        let csq = Tag::new("BCSQ", field_names("Format: '[*]consequence|gene|transcript|biotype[|strand|amino_acid_change|dna_change]' or").expect("BCSQ format"));
        assert_eq!(
            csq.typed,
            [
                Some(0),
                None,
                None,
                Some(1),
                Some(2),
                Some(3),
                Some(6),
                Some(5)
            ]
        );
        assert_eq!(csq.allele, None);
    }
}
