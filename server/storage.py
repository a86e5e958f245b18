"""Where export files live, chosen by one URL (`CUSTOMERHUB_EXPORT_STORAGE`):

- `file://./data/exports`: a local folder; the server streams the file at `/exports/{token}`;
- `s3://bucket/prefix`: an S3-compatible bucket (`CUSTOMERHUB_S3_ENDPOINT_URL` for other than
  AWS); the link is then a presigned URL with the same expiry.
"""

import asyncio
import shutil
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlparse


class Storage(Protocol):
    def scratch_folder(self) -> Path:
        """A local folder where a file is written before `put` stores it."""
        ...

    async def put(self, key: str, local: Path, content_type: str, file_name: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    def local_path(self, key: str) -> Path | None:
        """The file itself, when this storage serves it from the server's disk."""
        ...

    async def presigned_url(self, key: str, file_name: str, seconds: int) -> str | None: ...


def storage_for_url(url: str, s3_endpoint_url: str = "") -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.netloc + parsed.path))
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, parsed.path.strip("/"), s3_endpoint_url or None)
    raise ValueError(f"CUSTOMERHUB_EXPORT_STORAGE={url!r}: use file://folder or s3://bucket")


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def scratch_folder(self) -> Path:
        folder = self.root / ".partial"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def put(self, key: str, local: Path, content_type: str, file_name: str) -> None:
        await asyncio.to_thread(_move, local, self.root / key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(_remove, self.root, self.root / key)

    def local_path(self, key: str) -> Path | None:
        return self.root / key

    async def presigned_url(self, key: str, file_name: str, seconds: int) -> str | None:
        return None


class S3Storage:
    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        import boto3  # only when configured
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix + "/" if prefix else ""
        # Signature version 4: what every S3-compatible service accepts; presigned links of
        # version 4 live at most 7 days.
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url,
                                        config=Config(signature_version="s3v4"))
        self._scratch: Path | None = None

    def scratch_folder(self) -> Path:
        import tempfile

        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="customerhub-exports-"))
        return self._scratch

    async def put(self, key: str, local: Path, content_type: str, file_name: str) -> None:
        await asyncio.to_thread(self._upload, key, local, content_type, file_name)

    def _upload(self, key: str, local: Path, content_type: str, file_name: str) -> None:
        try:
            self.client.upload_file(
                str(local), self.bucket, self.prefix + key,
                ExtraArgs={"ContentType": content_type,
                           "ContentDisposition": content_disposition(file_name)})
        finally:
            local.unlink(missing_ok=True)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket,
                                Key=self.prefix + key)

    def local_path(self, key: str) -> Path | None:
        return None

    async def presigned_url(self, key: str, file_name: str, seconds: int) -> str | None:
        url: str = await asyncio.to_thread(
            self.client.generate_presigned_url, "get_object",
            Params={"Bucket": self.bucket, "Key": self.prefix + key,
                    "ResponseContentDisposition": content_disposition(file_name)},
            ExpiresIn=max(1, seconds))
        return url


def content_disposition(file_name: str) -> str:
    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def _move(local: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    local.replace(target)  # same file system: the file appears whole or not at all


def _remove(root: Path, path: Path) -> None:
    path.unlink(missing_ok=True)
    if path.parent != root and path.parent.exists() and not any(path.parent.iterdir()):
        shutil.rmtree(path.parent, ignore_errors=True)
