using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Archive.Search.Elastic;

/// <summary>
/// Health of the Elasticsearch cluster and the search alias (see <see cref="ElasticsearchSearchIndex.CheckHealthAsync"/>).
/// Registered by <c>AddElasticsearchSearch</c>; add it to the host's checks with
/// <c>services.AddHealthChecks().AddCheck&lt;ElasticsearchSearchHealthCheck&gt;("search")</c>.
/// </summary>
public sealed class ElasticsearchSearchHealthCheck : IHealthCheck
{
    private readonly ElasticsearchSearchIndex _index;

    /// <summary>Creates the check.</summary>
    public ElasticsearchSearchHealthCheck(ElasticsearchSearchIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => _index.CheckHealthAsync(cancellationToken);
}
