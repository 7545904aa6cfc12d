//! The chunked c1z upload: metadata, 512 KiB data messages, an eof with the SHA-256 digest;
//! up to three attempts, each resending from the start (docs/service-mode.md, "Full sync").

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::Stream;
use tokio::io::AsyncReadExt as _;

use crate::client::BatonClient;
use crate::proto::baton::{UploadAssetRequest, UploadData, UploadEof, UploadMetadata, UploadMsg};

/// Size of every data message but the last.
pub(crate) const CHUNK_SIZE: usize = 512 * 1024;
/// Upload attempts per file.
const ATTEMPTS: u32 = 3;

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UploadError {
    /// Reading the file failed.
    #[error("reading {path} failed")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The last attempt's RPC error.
    #[error("ConductorOne rejected the upload ({:?}): {}", .0.code(), .0.message())]
    Rpc(tonic::Status),
}

/// The SHA-256 of the file, computed on a blocking thread.
async fn digest(path: &Path) -> Result<(Vec<u8>, u64), UploadError> {
    let owned = path.to_path_buf();
    let read_err = |source| UploadError::Read {
        path: path.to_path_buf(),
        source,
    };
    tokio::task::spawn_blocking(move || -> std::io::Result<(Vec<u8>, u64)> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(owned)?;
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        let mut buf = vec![0u8; CHUNK_SIZE];
        let mut total = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            ctx.update(&buf[..n]);
        }
        Ok((ctx.finish().as_ref().to_vec(), total))
    })
    .await
    .map_err(|e| read_err(std::io::Error::other(e)))?
    .map_err(read_err)
}

/// Reads up to one chunk; short only at the end of the file.
async fn read_chunk(file: &mut tokio::fs::File) -> std::io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(CHUNK_SIZE);
    let mut limited = file.take(CHUNK_SIZE as u64);
    limited.read_to_end(&mut chunk).await?;
    Ok(chunk)
}

enum Step {
    Metadata(tokio::fs::File),
    Data(tokio::fs::File),
    Done,
}

/// The request stream of one attempt. A read error mid-stream ends the stream without an eof,
/// so the server rejects the upload rather than accepting a truncated file.
fn messages(
    file: tokio::fs::File,
    host_id: String,
    task_id: String,
    sha256: Vec<u8>,
) -> impl Stream<Item = UploadAssetRequest> + Send + 'static {
    futures::stream::unfold(Step::Metadata(file), move |step| {
        let host_id = host_id.clone();
        let task_id = task_id.clone();
        let sha256 = sha256.clone();
        async move {
            match step {
                Step::Metadata(file) => Some((
                    UploadAssetRequest {
                        msg: Some(UploadMsg::Metadata(UploadMetadata {
                            host_id,
                            task_id,
                            annotations: Vec::new(),
                        })),
                    },
                    Step::Data(file),
                )),
                Step::Data(mut file) => match read_chunk(&mut file).await {
                    Ok(chunk) if chunk.is_empty() => Some((
                        UploadAssetRequest {
                            msg: Some(UploadMsg::Eof(UploadEof {
                                sha256_checksum: sha256,
                                annotations: Vec::new(),
                            })),
                        },
                        Step::Done,
                    )),
                    Ok(chunk) => Some((
                        UploadAssetRequest {
                            msg: Some(UploadMsg::Data(UploadData { data: chunk })),
                        },
                        Step::Data(file),
                    )),
                    Err(err) => {
                        tracing::warn!(error = %err, "reading the sync file failed mid-upload");
                        None
                    }
                },
                Step::Done => None,
            }
        }
    })
}

/// Uploads `path` for `task_id`; returns its size.
pub(crate) async fn upload_file(
    client: &BatonClient,
    host_id: &str,
    task_id: &str,
    path: &Path,
    unit: Duration,
) -> Result<u64, UploadError> {
    let (sha256, size) = digest(path).await?;
    let mut last = None;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(unit * attempt).await;
        }
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|source| UploadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        let stream = messages(
            file,
            host_id.to_string(),
            task_id.to_string(),
            sha256.clone(),
        );
        match client.upload(stream).await {
            Ok(()) => return Ok(size),
            Err(status) => {
                tracing::warn!(
                    attempt = attempt + 1,
                    code = ?status.code(),
                    error = status.message(),
                    "upload failed"
                );
                last = Some(status);
            }
        }
    }
    Err(UploadError::Rpc(last.unwrap_or_else(|| {
        tonic::Status::unknown("no upload attempt was made")
    })))
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;

    #[tokio::test]
    async fn a_file_of_1_2_mib_is_sent_as_two_full_chunks_and_the_rest() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        let len = 1_258_291; // 1.2 MiB
        std::fs::write(&path, vec![7u8; len]).expect("write");
        let (sha, size) = digest(&path).await.expect("digest");
        assert_eq!(size, len as u64);
        let file = tokio::fs::File::open(&path).await.expect("open");
        let msgs: Vec<_> = messages(file, "h".into(), "t".into(), sha.clone())
            .collect()
            .await;
        let sizes: Vec<usize> = msgs
            .iter()
            .filter_map(|m| match &m.msg {
                Some(UploadMsg::Data(d)) => Some(d.data.len()),
                _ => None,
            })
            .collect();
        assert_eq!(sizes, vec![524_288, 524_288, len - 2 * 524_288]);
        assert!(matches!(msgs[0].msg, Some(UploadMsg::Metadata(_))));
        let Some(UploadMsg::Eof(eof)) = &msgs[msgs.len() - 1].msg else {
            panic!("eof last");
        };
        assert_eq!(eof.sha256_checksum, sha);
        assert_eq!(
            sha,
            ring::digest::digest(&ring::digest::SHA256, &vec![7u8; len])
                .as_ref()
                .to_vec()
        );
    }

    #[tokio::test]
    async fn an_empty_file_sends_no_data_message() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"").expect("write");
        let (sha, _) = digest(&path).await.expect("digest");
        let file = tokio::fs::File::open(&path).await.expect("open");
        let msgs: Vec<_> = messages(file, "h".into(), "t".into(), sha).collect().await;
        assert_eq!(msgs.len(), 2);
    }
}
