//! C2SP signed notes with Ed25519 keys (<https://c2sp.org/signed-note>).
//!
//! - A signed note is a text ending in `\n`, a blank line, then signature lines
//!   `— NAME base64(key ID || signature)` (em dash U+2014, space, key name, space).
//! - The key ID is the first 4 bytes of `SHA-256(NAME || 0x0A || 0x01 || public key)`.
//! - A verifier key (*vkey*) is `NAME+hex(key ID)+base64(0x01 || public key)`.
//! - A signer key, in the format of Go's `golang.org/x/mod/sumdb/note`, is
//!   `PRIVATE+KEY+NAME+hex(key ID)+base64(0x01 || 32-byte seed)`.
//!
//! ```
//! use provar_ledger::note::{Signer, Verifier, SignedNote};
//!
//! let signer = Signer::generate("example.org/ledger")?;
//! let verifier: Verifier = signer.verifier().to_string().parse()?;
//! let note = SignedNote::sign("hello\n", &[&signer])?;
//! let parsed = SignedNote::parse(&note.to_string())?;
//! assert!(parsed.check(&[verifier]).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// The signature type byte of Ed25519 in the signed-note spec.
pub const ALG_ED25519: u8 = 0x01;

/// The separator that starts every signature line: em dash and space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Verifiers must accept at least 16 signatures; provar reads at most this many.
pub const MAX_SIGNATURES: usize = 100;

/// A key, note or signature that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A key name is empty or contains a space or `+`.
    #[error("invalid key name {0:?}: must be non-empty without spaces or '+'")]
    InvalidKeyName(String),
    /// A verifier or signer key string is malformed.
    #[error("invalid {kind} key: {reason}")]
    InvalidKey {
        /// `verifier` or `signer`.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The note is malformed.
    #[error("invalid signed note: {0}")]
    InvalidNote(String),
    /// Random bytes for a new key could not be drawn.
    #[error("cannot draw random bytes for a new key: {0}")]
    Random(String),
}

/// Checks a key name: non-empty, no Unicode spaces, no `+`.
pub fn check_key_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    Ok(())
}

/// The key ID of an Ed25519 key: `SHA-256(name || 0x0A || 0x01 || public key)[..4]`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ALG_ED25519]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn hex4(id: [u8; 4]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex4(s: &str) -> Option<[u8; 4]> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return None;
    }
    let v = u32::from_str_radix(s, 16).ok()?;
    Some(v.to_be_bytes())
}

/// An Ed25519 signing key with its name.
#[derive(Clone)]
pub struct Signer {
    name: String,
    id: [u8; 4],
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}+{})", self.name, hex4(self.id))
    }
}

impl Signer {
    /// A signer from a name and a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Signer, NoteError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Signer {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// A new random key, seeded from the operating system.
    pub fn generate(name: &str) -> Result<Signer, NoteError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| NoteError::Random(e.to_string()))?;
        Signer::from_seed(name, seed)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn id(&self) -> [u8; 4] {
        self.id
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The private key string `PRIVATE+KEY+NAME+hexid+base64(0x01||seed)` (no newline).
    /// Keep it secret.
    pub fn to_private_string(&self) -> String {
        let mut bytes = vec![ALG_ED25519];
        bytes.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex4(self.id),
            BASE64.encode(bytes)
        )
    }

    /// The signature line for `text`: `— NAME base64(keyID || signature)` (no newline).
    pub fn signature_line(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut bytes = self.id.to_vec();
        bytes.extend_from_slice(&signature.to_bytes());
        format!("{SIG_PREFIX}{} {}", self.name, BASE64.encode(bytes))
    }
}

impl FromStr for Signer {
    type Err = NoteError;

    /// Parses `PRIVATE+KEY+NAME+hexid+base64(0x01||seed)` (surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| NoteError::InvalidKey {
            kind: "signer",
            reason: reason.to_owned(),
        };
        let s = s.trim();
        let rest = s
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| invalid("does not start with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("expected PRIVATE+KEY+NAME+KEYID+KEY"));
        };
        check_key_name(name)?;
        let id = parse_hex4(id).ok_or_else(|| invalid("key ID is not 8 lowercase hex digits"))?;
        let bytes = BASE64
            .decode(material)
            .map_err(|e| invalid(&format!("key is not base64: {e}")))?;
        let (&alg, seed) = bytes.split_first().ok_or_else(|| invalid("key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(invalid(&format!("unsupported signature type {alg:#04x}")));
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| invalid("an Ed25519 seed has 32 bytes"))?;
        let signer = Signer::from_seed(name, seed)?;
        if signer.id != id {
            return Err(invalid("key ID does not match the key"));
        }
        Ok(signer)
    }
}

/// An Ed25519 verifier key with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl Verifier {
    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn id(&self) -> [u8; 4] {
        self.id
    }

    /// Whether `signature` is this key's signature of `text`.
    pub fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        self.key.verify_strict(text.as_bytes(), &signature).is_ok()
    }

    /// `NAME+hexid` (for messages).
    pub fn label(&self) -> String {
        format!("{}+{}", self.name, hex4(self.id))
    }
}

impl fmt::Display for Verifier {
    /// The vkey: `NAME+hexid+base64(0x01||public key)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = vec![ALG_ED25519];
        bytes.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex4(self.id),
            BASE64.encode(bytes)
        )
    }
}

impl FromStr for Verifier {
    type Err = NoteError;

    /// Parses a vkey `NAME+hexid+base64(0x01||public key)` (surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| NoteError::InvalidKey {
            kind: "verifier",
            reason: reason.to_owned(),
        };
        let mut parts = s.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("expected NAME+KEYID+KEY"));
        };
        check_key_name(name)?;
        let id = parse_hex4(id).ok_or_else(|| invalid("key ID is not 8 lowercase hex digits"))?;
        let bytes = BASE64
            .decode(material)
            .map_err(|e| invalid(&format!("key is not base64: {e}")))?;
        let (&alg, public) = bytes.split_first().ok_or_else(|| invalid("key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(invalid(&format!("unsupported signature type {alg:#04x}")));
        }
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| invalid("an Ed25519 public key has 32 bytes"))?;
        if key_id(name, &public) != id {
            return Err(invalid("key ID does not match the key"));
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| invalid("not a valid Ed25519 public key"))?;
        Ok(Verifier {
            name: name.to_owned(),
            id,
            key,
        })
    }
}

/// Parses a list of vkeys, one per line; blank lines and lines starting with `#` are skipped.
/// Errors carry the 1-based line number.
pub fn parse_verifiers(text: &str) -> Result<Vec<Verifier>, (usize, NoteError)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| l.parse().map_err(|e| (i + 1, e)))
        .collect()
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID (first 4 bytes of the decoded signature).
    pub id: [u8; 4],
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// `NAME+hexid` (for messages).
    pub fn label(&self) -> String {
        format!("{}+{}", self.name, hex4(self.id))
    }

    fn line(&self) -> String {
        let mut bytes = self.id.to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}", self.name, BASE64.encode(bytes))
    }
}

/// A note text with zero or more signatures.
///
/// With no signature, the serialised form is the text alone (an *unsigned* note, which is
/// how provar writes a checkpoint when no key is configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in `\n`.
    pub text: String,
    /// The signature lines, in file order.
    pub signatures: Vec<NoteSignature>,
}

/// The outcome of checking a note's signatures against trusted keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// At least one trusted key's signature verified and none failed; the labels of the
    /// keys that verified.
    Verified(Vec<String>),
    /// A signature by a trusted key (name and ID match) does not verify.
    Bad(String),
    /// No signature by any trusted key; the labels of the signatures present.
    NoTrustedSignature(Vec<String>),
}

impl SignatureCheck {
    /// True for [`SignatureCheck::Verified`].
    pub fn is_ok(&self) -> bool {
        matches!(self, SignatureCheck::Verified(_))
    }
}

impl SignedNote {
    /// Signs `text` with each signer. The text must be non-empty, end in `\n`, contain no
    /// blank line and no control character other than `\n`.
    pub fn sign(text: &str, signers: &[&Signer]) -> Result<SignedNote, NoteError> {
        check_text(text)?;
        let signatures = signers
            .iter()
            .map(|s| {
                let sig = s.key.sign(text.as_bytes());
                NoteSignature {
                    name: s.name.clone(),
                    id: s.id,
                    signature: sig.to_bytes().to_vec(),
                }
            })
            .collect();
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Adds (or replaces) the signature by `signer`.
    pub fn add_signature(&mut self, signer: &Signer) {
        self.signatures
            .retain(|s| !(s.name == signer.name && s.id == signer.id));
        self.signatures.push(NoteSignature {
            name: signer.name.clone(),
            id: signer.id,
            signature: signer.key.sign(self.text.as_bytes()).to_bytes().to_vec(),
        });
    }

    /// Parses a note, signed or not. A note without a blank line is an unsigned text.
    pub fn parse(input: &str) -> Result<SignedNote, NoteError> {
        let invalid = |r: &str| NoteError::InvalidNote(r.to_owned());
        if input.chars().any(|c| c.is_control() && c != '\n') {
            return Err(invalid("contains a control character other than newline"));
        }
        if !input.ends_with('\n') {
            return Err(invalid("does not end in a newline"));
        }
        let Some(split) = input.rfind("\n\n") else {
            check_text(input)?;
            return Ok(SignedNote {
                text: input.to_owned(),
                signatures: Vec::new(),
            });
        };
        let text = &input[..=split];
        let sig_block = &input[split + 2..];
        check_text(text)?;
        let mut signatures = Vec::new();
        for line in sig_block.lines() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(invalid("too many signatures"));
            }
            let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(|| {
                invalid("a signature line does not start with an em dash and a space")
            })?;
            let (name, b64) = rest.split_once(' ').ok_or_else(|| {
                invalid("a signature line has no space between name and signature")
            })?;
            check_key_name(name)?;
            let bytes = BASE64
                .decode(b64)
                .map_err(|e| invalid(&format!("a signature is not base64: {e}")))?;
            if bytes.len() < 5 {
                return Err(invalid("a signature is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                id: [bytes[0], bytes[1], bytes[2], bytes[3]],
                signature: bytes[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(invalid("a blank line is followed by no signature"));
        }
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the signatures against trusted keys, as the spec says: signatures by unknown
    /// keys are ignored, a failing signature by a known key rejects the note, and at least
    /// one known key must have signed.
    pub fn check(&self, trusted: &[Verifier]) -> SignatureCheck {
        let mut verified = Vec::new();
        for sig in &self.signatures {
            let Some(key) = trusted
                .iter()
                .find(|v| v.name == sig.name && v.id == sig.id)
            else {
                continue;
            };
            if key.verify(&self.text, &sig.signature) {
                verified.push(key.label());
            } else {
                return SignatureCheck::Bad(sig.label());
            }
        }
        if verified.is_empty() {
            SignatureCheck::NoTrustedSignature(
                self.signatures.iter().map(NoteSignature::label).collect(),
            )
        } else {
            SignatureCheck::Verified(verified)
        }
    }
}

impl fmt::Display for SignedNote {
    /// The note as stored: the text, then (if signed) a blank line and the signature lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if !self.signatures.is_empty() {
            f.write_str("\n")?;
            for sig in &self.signatures {
                writeln!(f, "{}", sig.line())?;
            }
        }
        Ok(())
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    let invalid = |r: &str| NoteError::InvalidNote(r.to_owned());
    if text.is_empty() || !text.ends_with('\n') {
        return Err(invalid("the text must be non-empty and end in a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(invalid("the text must not contain a blank line"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(
            "the text contains a control character other than newline",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example key and note of Go's golang.org/x/mod/sumdb/note package
    // documentation (note.go), the reference implementation of the format.
    const GO_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    // The example of the C2SP signed-note spec (c2sp.org/signed-note, C2SP/C2SP
    // signed-note.md at commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9).
    const C2SP_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const C2SP_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    #[test]
    fn go_reference_key_signs_byte_identically() -> Result<(), NoteError> {
        let signer: Signer = GO_SKEY.parse()?;
        assert_eq!(signer.to_private_string(), GO_SKEY);
        assert_eq!(signer.verifier().to_string(), GO_VKEY);
        let note = SignedNote::sign(GO_TEXT, &[&signer])?;
        assert_eq!(note.to_string(), format!("{GO_TEXT}\n{GO_SIG}"));
        assert_eq!(format!("{}\n", signer.signature_line(GO_TEXT)), GO_SIG);
        let verifier: Verifier = GO_VKEY.parse()?;
        let parsed = SignedNote::parse(&note.to_string())?;
        assert_eq!(parsed, note);
        assert!(parsed.check(&[verifier]).is_ok());
        Ok(())
    }

    #[test]
    fn c2sp_spec_example_verifies() -> Result<(), NoteError> {
        let verifier: Verifier = C2SP_VKEY.parse()?;
        let note = SignedNote::parse(C2SP_NOTE)?;
        assert_eq!(note.text, "This is an example message.\n");
        assert_eq!(
            note.check(std::slice::from_ref(&verifier)),
            SignatureCheck::Verified(vec!["example.com/foo+530d903a".to_owned()])
        );
        let tampered = SignedNote::parse(&C2SP_NOTE.replace("example message", "example massage"))?;
        assert_eq!(
            tampered.check(std::slice::from_ref(&verifier)),
            SignatureCheck::Bad("example.com/foo+530d903a".to_owned())
        );
        let other: Verifier = GO_VKEY.parse()?;
        assert_eq!(
            note.check(&[other]),
            SignatureCheck::NoTrustedSignature(vec!["example.com/foo+530d903a".to_owned()])
        );
        Ok(())
    }

    #[test]
    fn malformed_keys_and_notes_are_rejected() {
        assert!(
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<Verifier>()
                .is_err()
        );
        assert!(
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<Verifier>()
                .is_err()
        );
        assert!("PeterNeumann+c74f20a3".parse::<Verifier>().is_err());
        assert!(GO_SKEY.replace("AYEK", "AYEL").parse::<Signer>().is_err());
        assert!(GO_VKEY.parse::<Signer>().is_err());
        assert!(SignedNote::parse("no newline").is_err());
        assert!(SignedNote::parse("text\n\nnot a signature\n").is_err());
        assert!(SignedNote::parse("text\n\n\u{2014} name !!!\n").is_err());
        assert!(SignedNote::parse("text\u{7}\n").is_err());
        assert!(SignedNote::sign("a\n\nb\n", &[]).is_err());
        assert!(Signer::from_seed("", [0; 32]).is_err());
    }

    #[test]
    fn generated_keys_round_trip() -> Result<(), NoteError> {
        let a = Signer::generate("provar.test/a")?;
        let b = Signer::generate("provar.test/a")?;
        assert_ne!(a.id(), b.id(), "two random keys differ");
        let parsed: Signer = a.to_private_string().parse()?;
        assert_eq!(parsed.verifier(), a.verifier());
        let mut note = SignedNote::sign("x\n", &[&a])?;
        note.add_signature(&b);
        note.add_signature(&a);
        assert_eq!(note.signatures.len(), 2);
        let round = SignedNote::parse(&note.to_string())?;
        assert_eq!(
            round.check(&[a.verifier(), b.verifier()]),
            SignatureCheck::Verified(vec![b.verifier().label(), a.verifier().label()])
        );
        let list = format!("# trusted\n{}\n\n{}\n", a.verifier(), b.verifier());
        assert_eq!(parse_verifiers(&list).map_err(|e| e.1)?.len(), 2);
        assert!(matches!(parse_verifiers("bad\n"), Err((1, _))));
        Ok(())
    }
}
