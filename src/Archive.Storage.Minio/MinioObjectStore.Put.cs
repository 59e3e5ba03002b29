using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using global::Minio.DataModel.Args;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
    // ------------------------------------------------------------------------------------------------------
    // Put
    // ------------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        key = ObjectKey.Normalize(key);
        options ??= NoOptions;
        var expectedSha = NormalizeSha(options.ExpectedSha256);
        if (options.ExpectedLength is < 0)
        {
            throw new ArchiveValidationException("expectedLength", "put.expected-length-negative", "The expected length must not be negative.");
        }

        var headers = MetadataCodec.ToHeaders(options.Metadata);
        var retention = options.Retention ?? DefaultRetention();
        if (retention is not null)
        {
            ValidateRetention(retention, "retention");
        }

        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        // The existing object must be checked (create-only, retention) before anything is sent; the HEAD request runs
        // while the first part is read and hashed, and is awaited before the upload starts. It is started on another
        // thread: signing and sending it take about a millisecond that would otherwise delay reading the content.
        var existing = Task.Run(() => HeadAsync(s3Key, "put", key, cancellationToken), CancellationToken.None);
        var contentStart = content.CanSeek ? content.Position : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(SinglePartLimit);
        try
        {
            int headLength;
            try
            {
                headLength = await ReadAtMostAsync(content, buffer.AsMemory(0, SinglePartLimit), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ObserveAsync(existing).ConfigureAwait(false);
                throw;
            }

            if (headLength < SinglePartLimit)
            {
                return await PutSmallAsync(key, s3Key, buffer.AsMemory(0, headLength), options, expectedSha, headers, retention, existing, cancellationToken).ConfigureAwait(false);
            }

            CheckOverwrite(key, options, await existing.ConfigureAwait(false));
            return await PutLargeAsync(key, s3Key, buffer.AsMemory(0, headLength), content, contentStart, options, expectedSha, headers, retention, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The put failed for another reason, reported by the caller; only the HEAD's own outcome is dropped here.
        }
    }

    /// <summary>Refuses to overwrite an existing object when the put is create-only or the object is retained.</summary>
    private void CheckOverwrite(string key, PutObjectOptions options, Dictionary<string, string>? current)
    {
        if (current is null)
        {
            return;
        }

        if (options.CreateOnly)
        {
            throw new ObjectAlreadyExistsException(System, Bucket, key);
        }

        if (LockReason(current) is { } reason)
        {
            throw new ObjectLockedException(System, Bucket, "put", key, reason + "; a retained object cannot be overwritten");
        }
    }

    private async Task<ObjectInfo> PutSmallAsync(string key, string s3Key, ReadOnlyMemory<byte> data, PutObjectOptions options, string? expectedSha, Dictionary<string, string> headers, ObjectRetention? retention, Task<Dictionary<string, string>?> existing, CancellationToken cancellationToken)
    {
        string sha;
        try
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(data.Span));
            CheckExpectations(key, options.ExpectedLength, expectedSha, data.Length, sha);
        }
        catch
        {
            await ObserveAsync(existing).ConfigureAwait(false);
            throw;
        }

        headers[MetadataCodec.HeaderPrefix + MetadataCodec.Sha256Name] = sha;
        if (retention is not null)
        {
            headers[LockModeHeader] = LockModeValue(retention.Mode);
            headers[RetainUntilHeader] = RoundUp(retention.RetainUntil).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        if (options.CreateOnly)
        {
            // Atomic on servers that honour it (AWS, MinIO); Ceph ignores it on versioned buckets.
            headers["If-None-Match"] = "*";
        }

        CheckOverwrite(key, options, await existing.ConfigureAwait(false));
        string etag;
        try
        {
            var response = await _direct.PutAsync(s3Key, data, sha, options.ContentType ?? "application/octet-stream", headers, contentMd5: retention is not null, cancellationToken).ConfigureAwait(false);
            etag = (response.GetValueOrDefault("ETag") ?? "").Trim('"');
        }
        catch (S3HttpException e) when (options.CreateOnly && e.Status == HttpStatusCode.PreconditionFailed)
        {
            throw new ObjectAlreadyExistsException(System, Bucket, key);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "put", key);
        }

        return await DescribeWrittenAsync(key, s3Key, etag, data.Length, sha, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ObjectInfo> PutLargeAsync(string key, string s3Key, ReadOnlyMemory<byte> head, Stream content, long contentStart, PutObjectOptions options, string? expectedSha, Dictionary<string, string> headers, ObjectRetention? retention, CancellationToken cancellationToken)
    {
        if (options.ExpectedLength is { } announced && announced < head.Length)
        {
            throw new ChecksumMismatchException(System, Bucket, key, announced.ToString(CultureInfo.InvariantCulture) + " bytes", "more than " + announced.ToString(CultureInfo.InvariantCulture) + " bytes");
        }

        FileStream? spool = null;
        try
        {
            VerifyingReadStream upload;
            long size;
            string sha;
            if (expectedSha is not null)
            {
                // The digest is known: stream straight through in one pass; the upload fails before completion
                // unless the content matches.
                sha = expectedSha;
                size = options.ExpectedLength ?? (content.CanSeek ? content.Length - contentStart : -1);
                upload = new VerifyingReadStream(head, content, size >= 0 ? size : null, expectedSha);
            }
            else if (content.CanSeek)
            {
                // First pass computes the digest (the metadata must be sent when the upload starts), second pass uploads
                // and verifies that the content did not change in between.
                (sha, size) = await HashRestAsync(head, content, null, cancellationToken).ConfigureAwait(false);
                CheckExpectations(key, options.ExpectedLength, null, size, sha);
                content.Position = contentStart;
                upload = new VerifyingReadStream(ReadOnlyMemory<byte>.Empty, content, size, sha);
            }
            else
            {
                // Non-seekable, digest unknown: spool to disk (not memory) while hashing.
                var directory = string.IsNullOrEmpty(_options.SpoolDirectory) ? Path.GetTempPath() : _options.SpoolDirectory;
                Directory.CreateDirectory(directory);
                spool = new FileStream(Path.Combine(directory, "archive-s3-" + Guid.NewGuid().ToString("N") + ".spool"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                (sha, size) = await HashRestAsync(head, content, spool, cancellationToken).ConfigureAwait(false);
                CheckExpectations(key, options.ExpectedLength, null, size, sha);
                spool.Position = 0;
                upload = new VerifyingReadStream(ReadOnlyMemory<byte>.Empty, spool, size, sha);
            }

            headers[MetadataCodec.HeaderPrefix + MetadataCodec.Sha256Name] = sha;
            string etag;
            using (upload)
            {
                try
                {
                    etag = await UploadMultipartAsync(key, s3Key, upload, size >= 0 ? size : null, options.ContentType ?? "application/octet-stream", headers, cancellationToken).ConfigureAwait(false);
                }
                catch (ContentMismatchException e)
                {
                    throw Mismatch(key, e);
                }
                catch (Exception e) when (Translatable(e, cancellationToken))
                {
                    throw Translate(e, "put", key);
                }

                size = upload.BytesRead;
            }

            var info = await DescribeWrittenAsync(key, s3Key, etag, size, sha, options, cancellationToken).ConfigureAwait(false);
            if (retention is not null)
            {
                await ApplyRetentionAfterMultipartAsync(key, s3Key, etag, sha, size, retention, cancellationToken).ConfigureAwait(false);
            }

            return info;
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyRetentionAfterMultipartAsync(string key, string s3Key, string etag, string sha, long length, ObjectRetention retention, CancellationToken cancellationToken)
    {
        var written = await HeadAsync(s3Key, "put", key, cancellationToken).ConfigureAwait(false);
        var versionId = written is null ? null : VersionId(written);
        try
        {
            if (written is null || !IsOurs(written, etag, sha, length))
            {
                throw new ArchiveStorageException(System, Bucket, "put", key, "the object changed before its retention could be applied (a concurrent write?)");
            }

            var args = new SetObjectRetentionArgs()
                .WithBucket(Bucket)
                .WithObject(s3Key)
                .WithRetentionMode(ToSdk(retention.Mode))
                .WithRetentionUntilDate(RoundUp(retention.RetainUntil).UtcDateTime);
            if (versionId is not null)
            {
                args = args.WithVersionId(versionId);
            }

            await Client.SetObjectRetentionAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken) || e is ArchiveStorageException || e is OperationCanceledException)
        {
            // The object must not stay without the retention the caller asked for: remove the version just written.
            if (versionId is not null)
            {
                try
                {
                    await Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(s3Key).WithVersionId(versionId), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception cleanup) when (Translatable(cleanup, CancellationToken.None))
                {
                    throw new ArchiveStorageException(System, Bucket, "put", key, $"retention could not be applied ({e.Message}) and the new version {versionId} could not be removed ({cleanup.Message}); it exists without retention", e);
                }
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw e as ArchiveStorageException ?? Translate(e, "put", key, "retention could not be applied, the new version was removed: ");
        }
    }

    private async Task<ObjectInfo> DescribeWrittenAsync(string key, string s3Key, string etag, long length, string sha, PutObjectOptions options, CancellationToken cancellationToken)
    {
        // The server answered the put with the ETag of what it stored: describe the object from what was sent, without
        // another round trip (the last-modified time is this client's clock). Without an ETag, ask the server.
        if (etag.Length == 0)
        {
            var headers = await HeadAsync(s3Key, "put", key, cancellationToken).ConfigureAwait(false);
            if (headers is not null && IsOurs(headers, etag, sha, length))
            {
                return ToInfo(key, headers, null);
            }
        }

        return new ObjectInfo
        {
            Key = key,
            Length = length,
            Sha256 = sha,
            ETag = etag,
            LastModified = _time.GetUtcNow(),
            ContentType = options.ContentType ?? "application/octet-stream",
            Metadata = options.Metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(options.Metadata, StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>Part size for content of <paramref name="length"/> bytes: 8 MiB, more when 10 000 parts would not hold it.</summary>
    internal static int PartSize(long? length)
    {
        const long MiB = 1024 * 1024;
        var needed = length is { } l ? (l + MaxParts - 1) / MaxParts : 0;
        var size = Math.Max(DefaultPartSize, (needed + MiB - 1) / MiB * MiB);
        return (int)Math.Min(size, MaxPartSize);
    }

    /// <summary>
    /// Multipart upload from <paramref name="upload"/> (which verifies length and digest as it is read, and throws
    /// before its last bytes when they do not match): each part is read into a pooled buffer, signed with its own
    /// SHA-256 and sent while the next one is read, so at most <see cref="PartsInFlight"/> + 1 parts are in memory
    /// whatever the size. The upload is completed only after the whole content was read and verified; on any failure
    /// it is aborted, so content that does not match never becomes an object.
    /// </summary>
    private async Task<string> UploadMultipartAsync(string key, string s3Key, VerifyingReadStream upload, long? length, string contentType, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var partSize = PartSize(length);
        var uploadId = await _direct.InitiateMultipartAsync(s3Key, contentType, headers, cancellationToken).ConfigureAwait(false);
        var etags = new List<string>();
        var inFlight = new Queue<Task<string>>();
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(partSize);
                int read;
                try
                {
                    read = await ReadAtMostAsync(upload, buffer.AsMemory(0, partSize), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                if (read == 0 && etags.Count + inFlight.Count > 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                if (etags.Count + inFlight.Count == MaxParts)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw new ArchiveStorageException(System, Bucket, "put", key, $"the content needs more than {MaxParts} parts of {partSize} bytes; pass its length (ExpectedLength or a seekable stream)");
                }

                inFlight.Enqueue(UploadPartAsync(s3Key, uploadId, etags.Count + inFlight.Count + 1, buffer, read, cancellationToken));
                if (inFlight.Count > PartsInFlight)
                {
                    etags.Add(await inFlight.Dequeue().ConfigureAwait(false));
                }

                if (read < partSize)
                {
                    break;
                }
            }

            while (inFlight.Count > 0)
            {
                etags.Add(await inFlight.Dequeue().ConfigureAwait(false));
            }

            return await _direct.CompleteMultipartAsync(s3Key, uploadId, etags, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var pending in inFlight)
            {
                await ObserveAsync(pending).ConfigureAwait(false);
            }

            await AbortUploadAsync(s3Key, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string> UploadPartAsync(string s3Key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield(); // hash and send on the pool while the caller reads the next part
            return await _direct.UploadPartAsync(s3Key, uploadId, partNumber, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task AbortUploadAsync(string s3Key, string uploadId)
    {
        try
        {
            await _direct.AbortMultipartAsync(s3Key, uploadId, CancellationToken.None).ConfigureAwait(false);
            Log.MultipartAborted(_logger, uploadId, s3Key);
        }
        catch (Exception e) when (Translatable(e, CancellationToken.None))
        {
            Log.MultipartAbortFailed(_logger, uploadId, s3Key, e);

            // Best effort: an incomplete upload is invisible; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes leftovers.
        }
    }

    private static async Task<int> ReadAtMostAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await content.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static async Task<(string Sha256, long Length)> HashRestAsync(ReadOnlyMemory<byte> head, Stream content, Stream? copyTo, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(head.Span);
        long total = head.Length;
        if (copyTo is not null)
        {
            await copyTo.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, 1 << 20), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (copyTo is not null)
        {
            await copyTo.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    private void CheckExpectations(string key, long? expectedLength, string? expectedSha, long length, string sha)
    {
        if (expectedLength is { } l && l != length)
        {
            throw new ChecksumMismatchException(System, Bucket, key, l.ToString(CultureInfo.InvariantCulture) + " bytes", length.ToString(CultureInfo.InvariantCulture) + " bytes");
        }

        if (expectedSha is not null && !string.Equals(expectedSha, sha, StringComparison.Ordinal))
        {
            throw new ChecksumMismatchException(System, Bucket, key, expectedSha, sha);
        }
    }

    private ChecksumMismatchException Mismatch(string key, ContentMismatchException e) => new(System, Bucket, key, e.Expected, e.Actual);

    private static string? NormalizeSha(string? sha)
    {
        if (sha is null)
        {
            return null;
        }

        if (!MetadataCodec.IsSha256(sha))
        {
            throw new ArchiveValidationException("expectedSha256", "put.sha256-format", "The expected SHA-256 must be 64 hexadecimal digits.");
        }

        return sha.ToLowerInvariant();
    }
}
