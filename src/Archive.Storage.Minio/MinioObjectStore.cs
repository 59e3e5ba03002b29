using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using global::Minio;
using global::Minio.DataModel.Args;
using global::Minio.DataModel.ObjectLock;
using global::Minio.Exceptions;
using Microsoft.Extensions.Options;
using SdkObjectNotFoundException = global::Minio.Exceptions.ObjectNotFoundException;

namespace Archive.Storage.Minio;

/// <summary>
/// <see cref="IObjectStore"/> on an S3 bucket with S3 Object Lock (MinIO, Ceph RADOS Gateway, AWS), with the
/// Minio .NET SDK 7.0.0 for bucket, delete, retention and legal-hold calls.
/// </summary>
/// <remarks>
/// <para><b>Writes</b> are sent by this package (<see cref="S3DirectClient"/>, SigV4 in header form with the payload
/// digest signed), not by the SDK, which copies every body and hashes it a second time for its own signature.
/// Content below 5 MiB is read into memory, hashed and verified, then sent in one PUT carrying the SHA-256
/// (<c>x-amz-meta-archive-sha256</c>) and the retention, signed with that same digest so that the server refuses a
/// body that does not match it. Larger content is a multipart upload: parts of 8 MiB (more when 10 000 parts would not
/// hold a known length) are read into pooled buffers, each signed with its own SHA-256 and sent two at a time while
/// the next is read — memory stays at about three parts whatever the size. The object's SHA-256 must be known when
/// the upload starts, so it comes from <see cref="PutObjectOptions.ExpectedSha256"/> (single pass), from a first
/// reading pass over a seekable stream, or from spooling a non-seekable stream to a temporary file (never to memory).
/// The parts are read through a stream that re-verifies length and SHA-256 and fails before the last part is sent;
/// the upload is completed only after that, and aborted on any failure, so a wrong upload never becomes visible.
/// Content of unknown length may be up to 10 000 parts of 8 MiB (~84 GB); with a known length (seekable stream,
/// spool, or <see cref="PutObjectOptions.ExpectedLength"/>) up to the S3 limit of 5 TiB.</para>
/// <para><b>Retention</b> is S3 Object Lock on the object's current version: the server refuses to delete a retained
/// or held version and to shorten or weaken compliance retention (<see cref="RetentionEnforcement.Worm"/>). Objects
/// uploaded in parts get their retention in a second request right after the upload completes (object-lock headers on
/// CreateMultipartUpload are not relied on: not tried against every server); if that fails the new version is
/// deleted again and the write fails.</para>
/// <para><b>Delete</b> permanently deletes the current version by its version id, which the server refuses while it is
/// retained or held (<see cref="ObjectLockedException"/>): a retained object stays retrievable. If an older version then
/// becomes current, a delete marker hides it so that the key reads as absent.</para>
/// <para><b>Overwrite</b> of a key whose current version is retained or held is refused (the old version would stay
/// protected on the server, but the key would serve new content). Create-only and this check are best effort (a
/// HEAD before the write, sent while the content is read and hashed): Ceph ignores <c>If-None-Match</c> on versioned
/// buckets and multipart uploads have no such condition, so <see cref="ObjectStoreCapabilities.AtomicCreateOnly"/> is
/// not reported.</para>
/// </remarks>
public sealed class MinioObjectStore : IObjectStore, IObjectRetentionStore, IDisposable
{
    /// <summary>Value of <see cref="SystemName"/>.</summary>
    public const string System = "s3";

    /// <summary>Content below this size is sent in one PUT (S3's minimum part size, 5 MiB).</summary>
    internal const int SinglePartLimit = 5 * 1024 * 1024;

    /// <summary>Part size of a multipart upload unless the content needs larger parts (8 MiB).</summary>
    internal const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>Largest part S3 accepts (5 GiB), capped to what one array holds.</summary>
    internal const int MaxPartSize = 2_000 * 1024 * 1024;

    /// <summary>S3's limit on the parts of one upload.</summary>
    internal const int MaxParts = 10_000;

    /// <summary>Parts being sent while the next one is read.</summary>
    internal const int PartsInFlight = 2;

    /// <summary>Object-lock headers, written by a single-request put and read back from HEAD/GET answers.</summary>
    private const string LockModeHeader = "x-amz-object-lock-mode";

    private const string RetainUntilHeader = "x-amz-object-lock-retain-until-date";

    private static readonly PutObjectOptions NoOptions = new();

    private readonly MinioStorageOptions _options;
    private readonly Lazy<IMinioClient> _client;
    private readonly bool _ownsClient;
    private readonly S3DirectClient _direct;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _readyLock = new(1, 1);
    private volatile bool _ready;

    /// <summary>Creates a store that builds its own client from <paramref name="options"/> on first use.</summary>
    /// <exception cref="OptionsValidationException">The options break a rule.</exception>
    public MinioObjectStore(MinioStorageOptions options)
        : this(null, options, TimeProvider.System)
    {
    }

    /// <summary>Creates a store over a client supplied by the host (not disposed by the store).</summary>
    /// <exception cref="OptionsValidationException">The options break a rule.</exception>
    public MinioObjectStore(IMinioClient client, MinioStorageOptions options)
        : this(client ?? throw new ArgumentNullException(nameof(client)), options, TimeProvider.System)
    {
    }

    internal MinioObjectStore(IMinioClient? client, MinioStorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = MinioStorageOptionsValidator.Errors(options, hostSuppliesClient: client is not null);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MinioStorageOptions), errors);
        }

        _options = options;
        _time = time;
        _ownsClient = client is null;
        _client = client is null ? new Lazy<IMinioClient>(() => BuildClient(options)) : new Lazy<IMinioClient>(client);
        _direct = new S3DirectClient(() => _client.Value, options.Bucket, options.Region, options.ReadRetries, time,
            options.RequestTimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(options.RequestTimeoutMilliseconds) : null);
    }

    /// <inheritdoc />
    public string SystemName => System;

    /// <inheritdoc />
    public string ContainerName => _options.Bucket;

    /// <inheritdoc />
    public ObjectStoreCapabilities Capabilities => ObjectStoreCapabilities.NativeRangedRead;

    /// <inheritdoc />
    /// <remarks>The store itself answers for <see cref="IObjectRetentionStore"/> (S3 Object Lock).</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public RetentionEnforcement Enforcement => RetentionEnforcement.Worm;

    private IMinioClient Client => _client.Value;

    private string Bucket => _options.Bucket;

    /// <summary>Builds the client this store uses when the host supplies none.</summary>
    internal static IMinioClient BuildClient(MinioStorageOptions options)
    {
        var client = new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region)
            .WithSSL(options.Secure);
        if (options.RequestTimeoutMilliseconds > 0)
        {
            client = client.WithTimeout(options.RequestTimeoutMilliseconds);
        }

        return client.Build();
    }

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
        }
        catch (Exception e) when (Translatable(e, CancellationToken.None))
        {
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

    // ------------------------------------------------------------------------------------------------------
    // Get, stat, list
    // ------------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        if (range is { } r)
        {
            // Rejects a negative offset or length before any request.
            _ = r.Resolve(long.MaxValue);
        }

        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        if (range is { Length: 0 } empty)
        {
            var headers = await HeadAsync(s3Key, "get", key, cancellationToken).ConfigureAwait(false);
            if (headers is null)
            {
                return null;
            }

            var info = ToInfo(key, headers, null);
            return new ObjectContent(info, new MemoryStream([], writable: false), empty.Resolve(info.Length));
        }

        RangeHeaderValue? header = range is { } rr ? new RangeHeaderValue(rr.Offset, rr.Length is { } l ? rr.Offset + l - 1 : null) : null;
        HttpResponseMessage? response;
        try
        {
            response = await _direct.GetAsync(s3Key, header, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "get", key);
        }

        if (response is null)
        {
            return null;
        }

        try
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                response.Dispose();
                var headers = await HeadAsync(s3Key, "get", key, cancellationToken).ConfigureAwait(false);
                if (headers is null)
                {
                    return null;
                }

                var info = ToInfo(key, headers, null);
                var resolved = range!.Value.Resolve(info.Length);
                return new ObjectContent(info, new MemoryStream([], writable: false), resolved);
            }

            var responseHeaders = S3DirectClient.Headers(response);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var contentRange = response.Content.Headers.ContentRange;
                if (contentRange?.From is not { } from || contentRange.To is not { } to || contentRange.Length is not { } total)
                {
                    throw new ArchiveStorageException(System, Bucket, "get", key, "the server answered 206 without a usable Content-Range");
                }

                var info = ToInfo(key, responseHeaders, total);
                return new ObjectContent(info, new ResponseStream(response, body, null, 0), new ByteRange(from, to - from + 1));
            }

            // 200: the whole object (a server that ignores Range is handled by skipping and limiting here).
            var whole = ToInfo(key, responseHeaders, null);
            if (range is { } requested)
            {
                var resolved = requested.Resolve(whole.Length);
                return new ObjectContent(whole, new ResponseStream(response, body, resolved.Length, resolved.Offset), resolved);
            }

            return new ObjectContent(whole, new ResponseStream(response, body, null, 0), null);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var headers = await HeadAsync(s3Key, "stat", key, cancellationToken).ConfigureAwait(false);
        return headers is null ? null : ToInfo(key, headers, null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// S3 listings carry no user metadata, so items have <see cref="ObjectInfo.Sha256"/> <see langword="null"/>,
    /// no content type and no metadata; <see cref="StatAsync"/> gives them.
    /// </remarks>
    public async ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
    {
        prefix = ObjectKey.NormalizePrefix(prefix);
        options ??= new ObjectListOptions();
        if (options.PageSize is < 1 or > 1000)
        {
            throw new ArchiveValidationException("pageSize", "list.page-size", "The page size must be between 1 and 1000.");
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        S3ListPage page;
        try
        {
            page = await _direct.ListAsync(_options.KeyPrefix + prefix, options.Delimited ? "/" : null, options.PageSize, options.ContinuationToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "list", prefix.Length == 0 ? null : prefix);
        }

        var items = page.Items
            .Where(i => i.Key.StartsWith(_options.KeyPrefix, StringComparison.Ordinal))
            .Select(i => new ObjectInfo
            {
                Key = i.Key[_options.KeyPrefix.Length..],
                Length = i.Size,
                LastModified = i.LastModified,
                ETag = i.ETag,
            })
            .ToList();
        var prefixes = page.CommonPrefixes
            .Where(p => p.StartsWith(_options.KeyPrefix, StringComparison.Ordinal))
            .Select(p => p[_options.KeyPrefix.Length..])
            .ToList();
        return new ObjectListPage(items, prefixes, page.ContinuationToken);
    }

    // ------------------------------------------------------------------------------------------------------
    // Delete
    // ------------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var current = await HeadAsync(s3Key, "delete", key, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return false;
        }

        var versionId = VersionId(current);
        try
        {
            var args = new RemoveObjectArgs().WithBucket(Bucket).WithObject(s3Key);
            if (versionId is not null)
            {
                // Deleting the version itself: the server refuses while it is retained or held (a plain delete would
                // only add a delete marker, which object lock allows, and hide a retained object).
                args = args.WithVersionId(versionId);
            }

            await Client.RemoveObjectAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            if (IsAccessDenied(e) && (IsLockMessage(e) || LockReason(current) is not null))
            {
                throw new ObjectLockedException(System, Bucket, "delete", key, LockReason(current) ?? ServerMessage(e), e);
            }

            throw Translate(e, "delete", key);
        }

        if (versionId is not null)
        {
            // An older version became current: hide it with a delete marker so the key reads as absent (the older
            // version itself stays, protected if it is retained).
            var older = await HeadAsync(s3Key, "delete", key, cancellationToken).ConfigureAwait(false);
            if (older is not null)
            {
                try
                {
                    await Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(s3Key), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (Translatable(e, cancellationToken))
                {
                    throw Translate(e, "delete", key);
                }
            }
        }

        return true;
    }

    // ------------------------------------------------------------------------------------------------------
    // Retention and legal hold
    // ------------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask SetRetentionAsync(string key, ObjectRetention retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(retention);
        key = ObjectKey.Normalize(key);
        ValidateRetention(retention, "retention");
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var current = await HeadAsync(s3Key, "retention", key, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(System, Bucket, "retention", key);
        var existing = ReadRetention(current);
        var args = new SetObjectRetentionArgs()
            .WithBucket(Bucket)
            .WithObject(s3Key)
            .WithRetentionMode(ToSdk(retention.Mode))
            .WithRetentionUntilDate(RoundUp(retention.RetainUntil).UtcDateTime);
        if (VersionId(current) is { } versionId)
        {
            args = args.WithVersionId(versionId);
        }

        // Ceph (unlike the S3 documentation) asks for the governance bypass even to upgrade GOVERNANCE to COMPLIANCE.
        // Sending it for a change that only strengthens (compliance, not earlier) weakens nothing; shortening governance
        // retention is only attempted with BypassGovernanceRetention, and the server still checks the permission.
        var upgrade = existing?.Mode == RetentionMode.Governance && retention.Mode == RetentionMode.Compliance && RoundUp(retention.RetainUntil) >= existing.RetainUntil;
        if (existing?.Mode == RetentionMode.Governance && (upgrade || _options.BypassGovernanceRetention))
        {
            args = args.WithBypassGovernanceMode(true);
        }

        try
        {
            await Client.SetObjectRetentionAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (SdkObjectNotFoundException)
        {
            throw new ObjectNotFoundException(System, Bucket, "retention", key);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            if (IsAccessDenied(e) && (IsLockMessage(e) || existing is not null))
            {
                var reason = existing is null
                    ? ServerMessage(e)
                    : $"the object has {existing.Mode} retention until {existing.RetainUntil:O}, which cannot be shortened or weakened ({ServerMessage(e)})";
                throw new ObjectLockedException(System, Bucket, "retention", key, reason, e);
            }

            throw Translate(e, "retention", key);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ObjectRetention?> GetRetentionAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        // From the HEAD's object-lock headers: the SDK's GetObjectRetention throws ArgumentNullException when an
        // object has no retention.
        var current = await HeadAsync(s3Key, "retention", key, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(System, Bucket, "retention", key);
        return ReadRetention(current);
    }

    /// <inheritdoc />
    public async ValueTask SetLegalHoldAsync(string key, bool enabled, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var current = await HeadAsync(s3Key, "legal-hold", key, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(System, Bucket, "legal-hold", key);
        var args = new SetObjectLegalHoldArgs().WithBucket(Bucket).WithObject(s3Key).WithLegalHold(enabled);
        if (VersionId(current) is { } versionId)
        {
            args = args.WithVersionId(versionId);
        }

        try
        {
            await Client.SetObjectLegalHoldAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (SdkObjectNotFoundException)
        {
            throw new ObjectNotFoundException(System, Bucket, "legal-hold", key);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "legal-hold", key);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> GetLegalHoldAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var current = await HeadAsync(s3Key, "legal-hold", key, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(System, Bucket, "legal-hold", key);
        return LegalHold(current);
    }

    // ------------------------------------------------------------------------------------------------------
    // Bucket
    // ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Checks that the bucket is reachable and (with <see cref="MinioStorageOptions.RequireObjectLock"/>) has S3
    /// Object Lock; creates it first when <see cref="MinioStorageOptions.CreateBucket"/> is set. Done once before the
    /// first operation; a failure is not remembered, so the next operation tries again.
    /// </summary>
    /// <exception cref="ArchiveStorageException">The bucket is missing, unreachable or has no object lock.</exception>
    public async ValueTask EnsureReadyAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return;
        }

        await _readyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await CheckBucketAsync(createIfMissing: _options.CreateBucket, cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _readyLock.Release();
        }
    }

    /// <summary>One check of the bucket (used by the health check too); returns a description of what was found.</summary>
    internal async Task<string> CheckBucketAsync(bool createIfMissing, CancellationToken cancellationToken)
    {
        try
        {
            var exists = await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), cancellationToken).ConfigureAwait(false);
            if (!exists)
            {
                if (!createIfMissing)
                {
                    throw new ArchiveStorageException(System, Bucket, "bucket", null, "the bucket does not exist (set CreateBucket to create it with object lock)");
                }

                try
                {
                    await Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket).WithLocation(_options.Region).WithObjectLock(), cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException e) when (e.Message.Contains("already owned by you", StringComparison.OrdinalIgnoreCase))
                {
                    // Created concurrently by another instance.
                }
            }

            if (!_options.RequireObjectLock)
            {
                return "bucket reachable (object lock not required)";
            }

            if (!await _direct.ObjectLockEnabledAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ArchiveStorageException(System, Bucket, "bucket", null, "the bucket has no S3 Object Lock, so retention cannot be enforced (object lock can only be enabled when a bucket is created; set RequireObjectLock=false to use it anyway)");
            }

            return "bucket reachable, object lock enabled";
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "bucket", null);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------

    /// <summary>The S3 object name of a normalised key.</summary>
    internal string ToS3Key(string key) => _options.KeyPrefix + key;

    private async Task<Dictionary<string, string>?> HeadAsync(string s3Key, string operation, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _direct.HeadAsync(s3Key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, operation, key);
        }
    }

    /// <summary>Builds an <see cref="ObjectInfo"/> from HEAD/GET response headers.</summary>
    internal static ObjectInfo ToInfo(string key, IReadOnlyDictionary<string, string> headers, long? totalLength)
    {
        var (metadata, sha) = MetadataCodec.FromHeaders(headers);
        long length = totalLength ?? (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0);
        var lastModified = headers.TryGetValue("Last-Modified", out var lm) && DateTimeOffset.TryParse(lm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : DateTimeOffset.MinValue;
        return new ObjectInfo
        {
            Key = key,
            Length = length,
            Sha256 = sha,
            LastModified = lastModified,
            ETag = ETag(headers) ?? "",
            ContentType = headers.TryGetValue("Content-Type", out var contentType) ? contentType : null,
            Metadata = metadata,
        };
    }

    /// <summary>
    /// Whether the current version is the one just written: same ETag, or (Ceph answers an empty ETag to a completed
    /// multipart upload) same recorded SHA-256 and length.
    /// </summary>
    private static bool IsOurs(IReadOnlyDictionary<string, string> headers, string etag, string sha, long length)
    {
        if (etag.Length > 0)
        {
            return string.Equals(ETag(headers), etag, StringComparison.Ordinal);
        }

        var info = ToInfo("-", headers, null);
        return string.Equals(info.Sha256, sha, StringComparison.Ordinal) && info.Length == length;
    }

    private static string? ETag(IReadOnlyDictionary<string, string> headers) => headers.TryGetValue("ETag", out var etag) ? etag.Trim('"') : null;

    private static string? VersionId(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue("x-amz-version-id", out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static bool LegalHold(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue("x-amz-object-lock-legal-hold", out var v) && string.Equals(v.Trim(), "ON", StringComparison.OrdinalIgnoreCase);

    /// <summary>The retention recorded in response headers, or <see langword="null"/>.</summary>
    internal static ObjectRetention? ReadRetention(IReadOnlyDictionary<string, string> headers)
    {
        if (!headers.TryGetValue(LockModeHeader, out var mode) || string.IsNullOrWhiteSpace(mode)
            || !headers.TryGetValue(RetainUntilHeader, out var until)
            || !DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var retainUntil))
        {
            return null;
        }

        return new ObjectRetention(string.Equals(mode.Trim(), LockModeValue(RetentionMode.Governance), StringComparison.OrdinalIgnoreCase) ? RetentionMode.Governance : RetentionMode.Compliance, retainUntil);
    }

    /// <summary>The object-lock mode as S3 writes it in <see cref="LockModeHeader"/>.</summary>
    private static string LockModeValue(RetentionMode mode) => mode == RetentionMode.Governance ? "GOVERNANCE" : "COMPLIANCE";

    private string? LockReason(IReadOnlyDictionary<string, string> headers)
    {
        if (LegalHold(headers))
        {
            return "the object is under a legal hold";
        }

        return ReadRetention(headers) is { } retention && retention.RetainUntil > _time.GetUtcNow()
            ? $"the object has {retention.Mode} retention until {retention.RetainUntil:O}"
            : null;
    }

    private ObjectRetention? DefaultRetention()
        => _options.DefaultRetentionDays is { } days ? new ObjectRetention(_options.DefaultRetentionMode, _time.GetUtcNow().AddDays(days)) : null;

    private void ValidateRetention(ObjectRetention retention, string field)
    {
        if (!Enum.IsDefined(retention.Mode))
        {
            throw new ArchiveValidationException(field + ".mode", "retention.mode", "The retention mode must be Governance or Compliance.");
        }

        if (retention.RetainUntil <= _time.GetUtcNow())
        {
            throw new ArchiveValidationException(field + ".retainUntil", "retention.in-past", "The retain-until date must be in the future.");
        }
    }

    /// <summary>S3 keeps retain-until dates to the second: round up so that retention is never shorter than asked.</summary>
    internal static DateTimeOffset RoundUp(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        var truncated = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return truncated == utc ? truncated : truncated.AddSeconds(1);
    }

    private static ObjectRetentionMode ToSdk(RetentionMode mode) => mode == RetentionMode.Governance ? ObjectRetentionMode.GOVERNANCE : ObjectRetentionMode.COMPLIANCE;

    /// <summary>Everything but our own exceptions and the caller's cancellation is translated.</summary>
    private static bool Translatable(Exception e, CancellationToken cancellationToken)
        => e is not ArchiveException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static bool IsAccessDenied(Exception e) => e switch
    {
        MinioException m when string.Equals(m.Response?.Code, "AccessDenied", StringComparison.OrdinalIgnoreCase) => true,
        AccessDeniedException => true,
        S3HttpException h => h.Status == HttpStatusCode.Forbidden,
        _ => false,
    };

    private static bool IsLockMessage(Exception e)
    {
        var message = ServerMessage(e);
        return message.Contains("object lock", StringComparison.OrdinalIgnoreCase)
            || message.Contains("retention", StringComparison.OrdinalIgnoreCase)
            || message.Contains("legal hold", StringComparison.OrdinalIgnoreCase)
            || message.Contains("WORM", StringComparison.Ordinal);
    }

    private static string ServerMessage(Exception e) => e switch
    {
        MinioException { Response.Message: { Length: > 0 } m } => m,
        S3HttpException { ServerMessage: { Length: > 0 } m } => m,
        _ => e.Message,
    };

    /// <summary>Translates an SDK or transport failure into <see cref="ArchiveStorageException"/> (or a subclass).</summary>
    internal ArchiveStorageException Translate(Exception e, string operation, string? key, string context = "")
    {
        if (e is ArchiveStorageException storage)
        {
            return storage;
        }

        if (IsAccessDenied(e) && IsLockMessage(e) && key is not null)
        {
            return new ObjectLockedException(System, Bucket, operation, key, ServerMessage(e), e);
        }

        var message = e switch
        {
            BucketNotFoundException => "the bucket does not exist",
            AuthorizationException or AccessDeniedException => "access denied (check the access key, secret key and permissions): " + ServerMessage(e),
            MinioException { Response.Code: "AccessDenied" } => "access denied: " + ServerMessage(e),
            ConnectionException or HttpRequestException => $"cannot reach the S3 server ({ServerMessage(e)})",
            OperationCanceledException => "the request timed out",
            MinioException { Response.Code: { Length: > 0 } code } => $"{code}: {ServerMessage(e)}",
            S3HttpException h => h.Message,
            _ => $"{e.GetType().Name}: {ServerMessage(e)}",
        };
        return new ArchiveStorageException(System, Bucket, operation, key, context + message, e);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        _readyLock.Dispose();
    }

    /// <summary>The content of a GET: disposes the HTTP response with the stream; optionally skips and limits.</summary>
    private sealed class ResponseStream : Stream
    {
        private readonly HttpResponseMessage _response;
        private readonly Stream _inner;
        private long _skip;
        private long? _remaining;

        public ResponseStream(HttpResponseMessage response, Stream inner, long? limit, long skip)
        {
            _response = response;
            _inner = inner;
            _remaining = limit;
            _skip = skip;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            SkipSync();
            if (_remaining is { } r)
            {
                if (r == 0)
                {
                    return 0;
                }

                buffer = buffer[..(int)Math.Min(buffer.Length, r)];
            }

            var n = _inner.Read(buffer);
            _remaining -= n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_skip > 0)
            {
                var scratch = ArrayPool<byte>.Shared.Rent(81920);
                try
                {
                    var n = await _inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, _skip)), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        _skip = 0;
                        break;
                    }

                    _skip -= n;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }
            }

            if (_remaining is { } r)
            {
                if (r == 0)
                {
                    return 0;
                }

                buffer = buffer[..(int)Math.Min(buffer.Length, r)];
            }

            var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _remaining -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void SkipSync()
        {
            if (_skip <= 0)
            {
                return;
            }

            var scratch = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                while (_skip > 0)
                {
                    var n = _inner.Read(scratch, 0, (int)Math.Min(scratch.Length, _skip));
                    if (n == 0)
                    {
                        break;
                    }

                    _skip -= n;
                }

                _skip = 0;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
