namespace Archive;

/// <summary>
/// Names of Archive's <see cref="System.Diagnostics.ActivitySource"/>s and <see cref="System.Diagnostics.Metrics.Meter"/>s,
/// so that a host can collect them, e.g. with OpenTelemetry:
/// <c>.WithTracing(t =&gt; t.AddSource([.. ArchiveDiagnostics.ActivitySourceNames]))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter([.. ArchiveDiagnostics.MeterNames]))</c>. The packages use
/// System.Diagnostics only; nothing is recorded unless a listener is attached. Instrument names, units and tags are
/// listed in docs/operations.md ("Telemetry").
/// </summary>
public static class ArchiveDiagnostics
{
    /// <summary>Activity source and meter of the engine (<c>Archive.Core</c>): package commits, ingest, pending index, jobs.</summary>
    public const string ActivitySourceName = "Archive";

    /// <summary>Meter of the engine (<c>Archive.Core</c>); same name as <see cref="ActivitySourceName"/>.</summary>
    public const string MeterName = "Archive";

    /// <summary>Activity source and meter of the Lucene.NET search engine (<c>Archive.Search.Lucene</c>).</summary>
    public const string LuceneName = "Archive.Search.Lucene";

    /// <summary>Activity source and meter of the Elasticsearch search engine (<c>Archive.Search.Elastic</c>).</summary>
    public const string ElasticsearchName = "Archive.Search.Elastic";

    /// <summary>Activity source and meter of the S3 object store (<c>Archive.Storage.Minio</c>).</summary>
    public const string S3Name = "Archive.Storage.Minio";

    /// <summary>Every activity source name used by Archive's packages.</summary>
    public static IReadOnlyList<string> ActivitySourceNames { get; } = [ActivitySourceName, LuceneName, ElasticsearchName, S3Name];

    /// <summary>Every meter name used by Archive's packages.</summary>
    public static IReadOnlyList<string> MeterNames { get; } = [MeterName, LuceneName, ElasticsearchName, S3Name];
}
