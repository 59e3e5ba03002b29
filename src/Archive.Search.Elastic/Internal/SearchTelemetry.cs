using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Archive.Search.Elastic.Internal;

/// <summary>Activity source and meter of this search engine (<see cref="ArchiveDiagnostics.ElasticsearchName"/>); see docs/operations.md.</summary>
internal static class SearchTelemetry
{
    public const string Engine = "elasticsearch";

    private static readonly string? Version = typeof(SearchTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(ArchiveDiagnostics.ElasticsearchName, Version);

    public static readonly Meter Meter = new(ArchiveDiagnostics.ElasticsearchName, Version);

    public static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>(
        "archive.search.duration", "s", "Duration of searches (tag archive.search.engine).");

    /// <summary>Starts measuring one search: the activity <c>archive.search</c> and, when disposed, its duration.</summary>
    public static Measurement Start()
    {
        var activity = Source.StartActivity("archive.search");
        activity?.SetTag("archive.search.engine", Engine);
        return new Measurement(activity, Stopwatch.GetTimestamp());
    }

    /// <summary>One search being measured.</summary>
    public readonly struct Measurement(Activity? activity, long started) : IDisposable
    {
        public void Dispose()
        {
            SearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("archive.search.engine", Engine));
            activity?.Dispose();
        }
    }
}
