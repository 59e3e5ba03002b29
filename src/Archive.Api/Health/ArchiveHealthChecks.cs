using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Archive.Api.Health;

/// <summary>Healthy when the object store answers a listing of the package roots.</summary>
public sealed class ArchiveStorageHealthCheck(IObjectStore store) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = await store.ListPageAsync("ocfl/", new ObjectListOptions { PageSize = 1 }, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{store.SystemName} store answers.");
        }
        catch (ArchiveStorageException ex)
        {
            return HealthCheckResult.Unhealthy($"{store.SystemName} store failed: {ex.Operation}.", ex);
        }
        catch (IOException ex)
        {
            return HealthCheckResult.Unhealthy($"{store.SystemName} store failed.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            return HealthCheckResult.Unhealthy($"{store.SystemName} store is not accessible.", ex);
        }
    }
}

/// <summary>Healthy when the search index answers a one-hit query, or when the host keeps no index on purpose (<see cref="SearchUnavailableException"/>).</summary>
public sealed class ArchiveSearchHealthCheck(ISearchIndex index) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var results = await index.SearchAsync(new SearchRequest { PageSize = 1 }, cancellationToken).ConfigureAwait(false);
            _ = results;
            return HealthCheckResult.Healthy($"{index.SystemName} index answers.");
        }
        catch (SearchUnavailableException ex)
        {
            // No index on purpose (configuration): the host does what it was set up to do.
            return HealthCheckResult.Healthy($"{index.SystemName}: {ex.Message}");
        }
        catch (ArchiveSearchException ex)
        {
            return HealthCheckResult.Unhealthy($"{index.SystemName} index failed: {ex.Operation}.", ex);
        }
        catch (IOException ex)
        {
            return HealthCheckResult.Unhealthy($"{index.SystemName} index failed.", ex);
        }
    }
}
