using Archive.Search;

namespace Archive.Search.Lucene.Internal;

/// <summary>This engine's search telemetry (<see cref="ArchiveDiagnostics.LuceneName"/>, engine tag <c>lucene</c>); see <see cref="SearchMeasurements"/>.</summary>
internal static class SearchTelemetry
{
    private static readonly SearchMeasurements Measurements = new(ArchiveDiagnostics.LuceneName, "lucene", typeof(SearchTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts measuring one search.</summary>
    public static SearchMeasurements.Measurement Start() => Measurements.Start();
}
