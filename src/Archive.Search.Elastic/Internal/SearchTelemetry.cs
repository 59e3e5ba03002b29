using Archive.Search;

namespace Archive.Search.Elastic.Internal;

/// <summary>This engine's search telemetry (<see cref="ArchiveDiagnostics.ElasticsearchName"/>, engine tag <c>elasticsearch</c>); see <see cref="SearchMeasurements"/>.</summary>
internal static class SearchTelemetry
{
    private static readonly SearchMeasurements Measurements = new(ArchiveDiagnostics.ElasticsearchName, "elasticsearch", typeof(SearchTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts measuring one search.</summary>
    public static SearchMeasurements.Measurement Start() => Measurements.Start();
}
