using global::Minio.DataModel.Args;
using SdkObjectNotFoundException = global::Minio.Exceptions.ObjectNotFoundException;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
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
}
