using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Archive.Core.Tests.Records;
using Archive.Packages;
using Archive.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Diagnostics;

/// <summary>
/// The engine (file-system store, OCFL packages) emits its commit activity and its counters under the names
/// documented for hosts (<see cref="ArchiveDiagnostics"/>). Other tests run in parallel on the same static sources,
/// so only what happens under this test's own trace is counted.
/// </summary>
public sealed class TelemetryTests
{
    private sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags, ActivityTraceId? Trace);

    [Fact]
    public async Task Commits_and_ingest_emit_the_commit_activity_and_the_engine_counters()
    {
        var ct = TestContext.Current.CancellationToken;
        using var testSource = new ActivitySource("Archive.Core.Tests.Telemetry");
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ArchiveDiagnostics.ActivitySourceName || s.Name == testSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        var measurements = new ConcurrentQueue<Recorded>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ArchiveDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue(new(i.Name, v, ToDictionary(tags), Activity.Current?.TraceId)));
        meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue(new(i.Name, v, ToDictionary(tags), Activity.Current?.TraceId)));
        meterListener.Start();

        ActivityTraceId trace;
        using (var root = testSource.StartActivity("telemetry-test"))
        {
            Assert.NotNull(root);
            trace = root.TraceId;
            await using var h = ArchiveHarness.Create();
            await h.SeedAsync();
            var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
            using var content = new MemoryStream(new byte[1234]);
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.tif", Content = content }, null, ArchiveHarness.User, ct);
        }

        var commits = activities.Where(a => a.TraceId == trace && a.OperationName == "archive.package.commit").ToList();
        Assert.NotEmpty(commits);
        Assert.All(commits, a => Assert.Equal(ActivityStatusCode.Unset, a.Status));
        var fileCommits = commits.Where(a => (string?)a.GetTagItem("archive.collection") == ArchiveStorage.FilesRoot).ToList();
        Assert.Equal(3, fileCommits.Count); // create, add document, add content
        Assert.Equal([1, 2, 3], fileCommits.Select(a => (int)a.GetTagItem("archive.package.version")!).Order());

        var mine = measurements.Where(m => m.Trace == trace).ToList();
        Assert.Equal(commits.Count, mine.Where(m => m.Instrument == "archive.package.commits").Sum(m => m.Value));
        Assert.Equal(commits.Count, mine.Count(m => m.Instrument == "archive.package.commit.duration"));
        Assert.All(mine.Where(m => m.Instrument == "archive.package.commit.duration"), m => Assert.True(m.Value >= 0));
        Assert.Equal(1, mine.Where(m => m.Instrument == "archive.record_files.created" && (string?)m.Tags["archive.ingest.mode"] == "create").Sum(m => m.Value));
        Assert.Equal(1, mine.Where(m => m.Instrument == "archive.content.files").Sum(m => m.Value));
        Assert.Equal(1234, mine.Where(m => m.Instrument == "archive.content.bytes").Sum(m => m.Value));
    }

    [Fact]
    public async Task A_failed_commit_is_counted_with_its_error_type()
    {
        var ct = TestContext.Current.CancellationToken;
        using var testSource = new ActivitySource("Archive.Core.Tests.Telemetry.Failure");
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == testSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activityListener);
        var failures = new ConcurrentQueue<Recorded>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ArchiveDiagnostics.MeterName && instrument.Name == "archive.package.commits")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => failures.Enqueue(new(i.Name, v, ToDictionary(tags), Activity.Current?.TraceId)));
        meterListener.Start();

        ActivityTraceId trace;
        using (var root = testSource.StartActivity("telemetry-failure-test"))
        {
            Assert.NotNull(root);
            trace = root.TraceId;
            await using var h = ArchiveHarness.Create();
            await h.SeedAsync();
            var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
            await Assert.ThrowsAsync<PackageConcurrencyException>(async () =>
                await h.Services.GetRequiredService<ArchiveStorage>().Files.CommitAsync(code, new PackageCommit { ExpectedHead = 7, Message = "stale" }.Put("stale.txt", new MemoryStream([1])), ct));
        }

        var failed = failures.Where(m => m.Trace == trace && m.Tags.ContainsKey("error.type")).ToList();
        var one = Assert.Single(failed);
        Assert.Equal(typeof(PackageConcurrencyException).FullName, one.Tags["error.type"]);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in tags)
        {
            d[k] = v;
        }

        return d;
    }
}
