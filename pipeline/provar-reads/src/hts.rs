//! CRAM decoding through rust-htslib (feature `htslib`): htslib decodes only the fields a
//! query needs (CRAM's required-fields option), which makes CRAM coverage ~19× faster than
//! noodles, which decodes every field (`examples/reads_choice.rs`). BAM stays on noodles,
//! which is faster for it.

use std::{io, path::Path};

use rust_htslib::bam::{self, record::Aux, Read as _};

use crate::{
    alignment::{Keep, Read, Reads},
    Error,
};

/// An htslib CRAM reader.
pub(crate) struct HtsReader {
    reader: bam::IndexedReader,
    path: std::path::PathBuf,
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Invalid {
        path: path.to_owned(),
        source: io::Error::other(e.to_string()),
    }
}

impl HtsReader {
    pub(crate) fn open(path: &Path, reference: &Path) -> Result<Self, Error> {
        let mut reader = bam::IndexedReader::from_path(path).map_err(|e| invalid(path, e))?;
        reader
            .set_reference(reference)
            .map_err(|e| invalid(path, e))?;
        Ok(Self {
            reader,
            path: path.to_owned(),
        })
    }

    pub(crate) fn query_with<'r>(
        &'r mut self,
        tid: usize,
        start: u64,
        end: u64,
        light: bool,
        keep: Keep<'r>,
    ) -> Result<Reads<'r>, Error> {
        use rust_htslib::htslib as h;
        let mut fields = h::sam_fields_SAM_QNAME
            | h::sam_fields_SAM_FLAG
            | h::sam_fields_SAM_RNAME
            | h::sam_fields_SAM_POS
            | h::sam_fields_SAM_MAPQ
            | h::sam_fields_SAM_CIGAR
            | h::sam_fields_SAM_RNEXT
            | h::sam_fields_SAM_PNEXT
            | h::sam_fields_SAM_TLEN;
        if !light {
            fields |= h::sam_fields_SAM_SEQ | h::sam_fields_SAM_QUAL | h::sam_fields_SAM_AUX;
        }
        let path = self.path.clone();
        self.reader
            .set_cram_options(h::hts_fmt_option_CRAM_OPT_REQUIRED_FIELDS, fields)
            .map_err(|e| invalid(&path, e))?;
        self.reader
            .fetch((tid as i32, start.saturating_sub(1) as i64, end as i64))
            .map_err(|e| invalid(&path, e))?;
        Ok(Box::new(self.reader.records().filter_map(move |r| {
            let record = match r {
                Ok(r) => r,
                Err(e) => return Some(Err(invalid(&path, e))),
            };
            decode(&record, light, &keep).map(Ok)
        })))
    }
}

fn decode(record: &bam::Record, light: bool, keep: &Keep<'_>) -> Option<Read> {
    let flags = record.flags();
    let start = if record.tid() >= 0 { record.pos() } else { -1 };
    let cigar: Vec<(u8, u32)> = record
        .raw_cigar()
        .iter()
        .map(|&c| ((c & 0xf) as u8, c >> 4))
        .collect();
    let span: i64 = cigar
        .iter()
        .filter(|(c, _)| crate::alignment::op::consumes_reference(*c))
        .map(|(_, l)| i64::from(*l))
        .sum();
    let end = start + span;
    if !keep(start, end) {
        return None;
    }
    let mut read = Read {
        name: record.qname().to_vec(),
        flags,
        start,
        end,
        mapq: record.mapq(),
        cigar,
        seq: Vec::new(),
        qual: Vec::new(),
        mate_same_contig: record.mtid() >= 0 && record.mtid() == record.tid(),
        mate_start: if record.mtid() >= 0 {
            record.mpos()
        } else {
            -1
        },
        template_length: record.insert_size() as i32,
        bq: None,
        zq: false,
    };
    if light {
        return Some(read);
    }
    read.seq = record.seq().as_bytes();
    let qual = record.qual();
    if qual.len() == read.seq.len() && qual.first() != Some(&255) {
        read.qual = qual.to_vec();
    }
    let n = read.seq.len();
    if let Ok(Aux::String(s)) = record.aux(b"BQ") {
        read.bq = Some(s.as_bytes().to_vec()).filter(|b| b.len() == n);
    }
    read.zq = matches!(record.aux(b"ZQ"), Ok(Aux::String(s)) if s.len() == n);
    Some(read)
}
