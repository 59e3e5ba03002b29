using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Archive.Storage.Minio;

/// <summary>
/// Health of the bucket behind <see cref="MinioObjectStore"/>: reachable with the configured credentials and, unless
/// <see cref="MinioStorageOptions.RequireObjectLock"/> is off, with S3 Object Lock enabled. Never creates the bucket.
/// </summary>
public sealed class MinioBucketHealthCheck : IHealthCheck
{
    private readonly MinioObjectStore _store;

    /// <summary>Creates the check for a store.</summary>
    public MinioBucketHealthCheck(MinioObjectStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object> { ["system"] = _store.SystemName, ["bucket"] = _store.ContainerName };
        try
        {
            var description = await _store.CheckBucketAsync(createIfMissing: false, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(description, data);
        }
        catch (ArchiveStorageException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e, data);
        }
    }
}
