using System.Net;
using System.Security.Cryptography;
using global::Minio.DataModel.Args;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
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

    /// <summary>
    /// The coordination bucket's check: never versioned (the claims rely on <c>If-None-Match: *</c>, which Ceph ignores
    /// once versioning is on) and a second create-only write of a probe key really refused with 412.
    /// </summary>
    private async Task<string> CheckCoordinationAsync(CancellationToken cancellationToken)
    {
        var versioning = await _direct.VersioningStatusAsync(cancellationToken).ConfigureAwait(false);
        if (versioning.Length > 0)
        {
            throw new ArchiveStorageException(System, Bucket, "bucket", null, $"the coordination bucket has versioning {versioning}; it must be a bucket that never had versioning (create-only writes are not atomic on versioned buckets)");
        }

        var probe = _options.KeyPrefix + ".archive-probe/" + Guid.NewGuid().ToString("N");
        var headers = new Dictionary<string, string> { ["If-None-Match"] = "*" };
        var sha = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));
        await _direct.PutAsync(probe, ReadOnlyMemory<byte>.Empty, sha, "application/octet-stream", headers, contentMd5: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await _direct.PutAsync(probe, ReadOnlyMemory<byte>.Empty, sha, "application/octet-stream", headers, contentMd5: false, cancellationToken).ConfigureAwait(false);
            throw new ArchiveStorageException(System, Bucket, "bucket", null, "the server overwrote an object despite If-None-Match: *, so create-only writes are not atomic on the coordination bucket");
        }
        catch (S3HttpException e) when (e.Status == HttpStatusCode.PreconditionFailed)
        {
            // The answer a coordination bucket must give.
        }
        finally
        {
            try
            {
                await Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(probe), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A probe left behind is harmless (an empty object under .archive-probe/).
            }
        }

        return "coordination bucket reachable, unversioned, create-only writes atomic";
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

            if (_options.IsCoordination)
            {
                return await CheckCoordinationAsync(cancellationToken).ConfigureAwait(false);
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
}
