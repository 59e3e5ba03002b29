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
}
