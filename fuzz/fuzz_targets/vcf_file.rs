//! A whole VCF file (header and records) through provar's reader and strict record parser:
//! every input is either read or rejected with an error, never a panic.
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;
use provar_io::vcf::{Reader, Record};

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(data).and_then(|()| file.flush()).is_err() {
        return;
    }
    let Ok(mut reader) = Reader::open(file.path(), 1) else {
        return;
    };
    let Ok(header) = reader.read_header() else {
        return;
    };
    let mut line = String::new();
    while let Ok(Some(number)) = reader.read_line(&mut line) {
        match Record::parse(&line, &header.layout) {
            Ok(record) => {
                let _ = record.number_of_alleles();
            }
            Err(e) => {
                let _ = reader.invalid_record(number, e).to_string();
            }
        }
    }
});
