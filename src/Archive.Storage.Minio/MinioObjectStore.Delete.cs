using global::Minio.DataModel.Args;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
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
}
