using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Archive.Search;

/// <summary>
/// The telemetry every search engine package publishes, in one place: an <see cref="ActivitySource"/> and a
/// <see cref="Meter"/> named after the package (see <see cref="ArchiveDiagnostics"/>), the activity
/// <c>archive.search</c> and the histogram <c>archive.search.duration</c> (seconds), both tagged
/// <c>archive.search.engine</c>. An engine keeps one instance for its lifetime (docs/operations.md, "Telemetry").
/// </summary>
public sealed class SearchMeasurements : IDisposable
{
    private readonly ActivitySource _source;
    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?> _engineTag;

    /// <summary>Creates the source and meter <paramref name="name"/> for the engine <paramref name="engine"/>.</summary>
    /// <param name="name">Name of the activity source and the meter (the package's, e.g. <see cref="ArchiveDiagnostics.LuceneName"/>).</param>
    /// <param name="engine">Value of the tag <c>archive.search.engine</c> (e.g. <c>lucene</c>).</param>
    /// <param name="version">The package's version, or null.</param>
    public SearchMeasurements(string name, string engine, string? version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(engine);
        _source = new ActivitySource(name, version);
        _meter = new Meter(name, version);
        _duration = _meter.CreateHistogram<double>("archive.search.duration", "s", "Duration of searches (tag archive.search.engine).");
        _engineTag = new KeyValuePair<string, object?>("archive.search.engine", engine);
    }

    /// <summary>Starts measuring one search: the activity <c>archive.search</c> and, when disposed, its duration.</summary>
    /// <returns>The measurement; dispose it when the search ends.</returns>
    public Measurement Start()
    {
        var activity = _source.StartActivity("archive.search");
        activity?.SetTag(_engineTag.Key, _engineTag.Value);
        return new Measurement(this, activity, Stopwatch.GetTimestamp());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }

    /// <summary>One search being measured.</summary>
    public readonly struct Measurement : IDisposable, IEquatable<Measurement>
    {
        private readonly SearchMeasurements? _owner;
        private readonly Activity? _activity;
        private readonly long _started;

        internal Measurement(SearchMeasurements owner, Activity? activity, long started)
        {
            _owner = owner;
            _activity = activity;
            _started = started;
        }

        /// <summary>Records the duration and ends the activity.</summary>
        public void Dispose()
        {
            _owner?._duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, _owner._engineTag);
            _activity?.Dispose();
        }

        /// <inheritdoc />
        public bool Equals(Measurement other) => ReferenceEquals(_owner, other._owner) && ReferenceEquals(_activity, other._activity) && _started == other._started;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Measurement other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(_owner, _activity, _started);

        /// <summary>Equality of two measurements.</summary>
        public static bool operator ==(Measurement left, Measurement right) => left.Equals(right);

        /// <summary>Inequality of two measurements.</summary>
        public static bool operator !=(Measurement left, Measurement right) => !left.Equals(right);
    }
}
