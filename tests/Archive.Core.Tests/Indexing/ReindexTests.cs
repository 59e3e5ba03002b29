using Archive.Testing.Support;
using Xunit;
using Archive.Core.Tests.Records;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Core.Tests.Indexing;

public sealed class ReindexTests
{
    private static readonly string[] Queries = ["cong van", "sap xep to chuc", "hop nhat", "bao cao nam", "ha noi"];

    private static async Task<List<string>> FillAsync(ArchiveHarness h, int files)
    {
        var ct = TestContext.Current.CancellationToken;
        await h.SeedAsync();
        var codes = new List<string>();
        for (var i = 1; i <= files; i++)
        {
            var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput($"{i:D2}.TH") with { Title = i % 2 == 0 ? "Báo cáo năm " + i : "Hồ sơ sắp xếp tổ chức " + i }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput($"{i:D2}"), null, ArchiveHarness.User, ct);
            codes.Add(code);
        }

        var pdf = TestPdf.Create("Danh sách đơn vị hợp nhất tại Hà Nội");
        await h.Files.AddContentAsync(codes[0], 1, new ContentUpload { FileName = "ds.pdf", Content = new MemoryStream(pdf) }, null, ArchiveHarness.User, ct);
        await h.ProjectedAsync();
        return codes;
    }

    private static async Task<List<string>> SnapshotAsync(ArchiveHarness h)
    {
        var lines = new List<string>();
        foreach (var q in Queries)
        {
            var r = await h.SearchAsync(q);
            lines.Add(q + " => " + string.Join(",", r.Hits.Select(x => x.Document.Id).Order(StringComparer.Ordinal)));
        }

        var all = await h.SearchAsync("");
        lines.Add("all => " + all.Total);
        return lines;
    }

    [Fact]
    public async Task Reindex_from_storage_alone_gives_the_same_results_and_resumes_after_interruption()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        var codes = await FillAsync(h, 5);
        var live = await SnapshotAsync(h);
        Assert.Contains(live, l => l.StartsWith("hop nhat => " + codes[0] + "/1", StringComparison.Ordinal));
        Assert.Equal("all => 10", live[^1]);

        // The reference is a full rebuild: the index built change by change still counts replaced documents in its
        // statistics (Lucene keeps them until a merge, at its own pace), which with five files can tip a term over the
        // common-term gate; a finished rebuild holds none (see the assertions below on a resumed one).
        Assert.False((await h.Reindex.RunAsync(cancellationToken: ct)).Resumed);
        var before = await SnapshotAsync(h);
        Assert.Contains(before, l => l.StartsWith("hop nhat => " + codes[0] + "/1", StringComparison.Ordinal));
        Assert.Equal("all => 10", before[^1]);

        // Lose the index completely.
        await h.ReopenAsync(() => Directory.Delete(h.IndexPath, recursive: true));
        Assert.Equal(0, (await h.SearchAsync("")).Total);

        // Interrupt after the second batch (batch = 2 files).
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var seen = new List<ReindexStatus>();
        var progress = new SyncProgress(s =>
        {
            seen.Add(s);
            if (s.State == ReindexState.Running && s.Processed >= 4)
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await h.Reindex.RunAsync(new ReindexRequest { BatchSize = 2 }, progress, cts.Token));
        Assert.Equal(ReindexState.Canceled, h.Reindex.Status.State);
        var checkpoint = await h.Reindex.GetCheckpointAsync(ct);
        Assert.NotNull(checkpoint);
        Assert.Equal(4, checkpoint.Processed);
        Assert.Equal("rebuild", checkpoint.Mode);
        Assert.Equal(0, (await h.SearchAsync("")).Total); // the live index is untouched until the swap

        // Resume in a new engine instance (as after a restart): it continues from the checkpoint.
        await h.ReopenAsync();
        seen.Clear();
        var done = await h.Reindex.RunAsync(new ReindexRequest { BatchSize = 2 }, new SyncProgress(seen.Add), ct);
        Assert.Equal(ReindexState.Completed, done.State);
        Assert.True(done.Resumed);
        Assert.Equal(5, done.Processed);
        Assert.Equal(5, done.Total);
        // The last file (record file + document) was left; files already passed whose head version is not older than a
        // minute before the interrupted run started are projected again (they may have changed while it was down), which
        // here is all of them: 2 + 4 × 2.
        Assert.Equal(10, done.DocumentsIndexed);
        Assert.Null(await h.Reindex.GetCheckpointAsync(ct));
        Assert.Equal(before, await SnapshotAsync(h));

        // A full run again (nothing to resume) rebuilds everything with the same result.
        var again = await h.Reindex.RunAsync(cancellationToken: ct);
        Assert.False(again.Resumed);
        Assert.Equal(10, again.DocumentsIndexed);
        Assert.Equal(before, await SnapshotAsync(h));
    }

    [Fact]
    public async Task Index_failure_keeps_the_commit_flags_the_file_and_pending_indexing_repairs_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var flaky = h.Services.GetRequiredService<ControlledIndex>();
        flaky.Fail = true;
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        var code = created.Stored.Value.FileCode;
        Assert.False(await h.Files.WaitForProjectionAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Equal(ProjectionState.Pending, (await h.Files.GetProjectionAsync(code, created.Stored.Version, ct)).State);
        Assert.NotNull(await h.Files.GetAsync(code, ct));
        Assert.Equal([code], await h.Indexer.ListPendingAsync(ct));

        flaky.Fail = false;
        Assert.Equal(0, (await h.SearchAsync("sap xep")).Total);
        Assert.Equal(1, await h.Files.IndexPendingAsync(ct));
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        Assert.Equal(code, Assert.Single((await h.SearchAsync("sap xep")).Hits).Document.Id);
    }

    [Fact]
    public async Task A_caller_giving_up_after_the_commit_does_not_leave_the_change_unsearchable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var flaky = h.Services.GetRequiredService<ControlledIndex>();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // The caller (an HTTP client that disconnects) gives up between the commit and the index update.
        flaky.BeforeCall = _ =>
        {
            flaky.BeforeCall = null;
            caller.Cancel();
            return Task.CompletedTask;
        };
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, caller.Token);
        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(created.Stored.Value.FileCode, created.Stored.Version, TimeSpan.FromSeconds(30), ct)).State);
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        Assert.Equal(created.Stored.Value.FileCode, Assert.Single((await h.SearchAsync("sap xep")).Hits).Document.Id);
    }

    [Fact]
    public async Task Pending_indexing_keeps_the_flag_of_a_record_file_not_yet_stored_until_it_is_abandoned()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ShiftedTime();
        await using var h = ArchiveHarness.Create(services: s => s.AddSingleton<TimeProvider>(time));
        await h.SeedAsync();

        // An import flags its record file before it commits: while that may still be under way the flag stays.
        await h.Indexer.FlagPendingAsync("BNV.2015.99.IMPORT", "import", ct);
        Assert.Equal(0, await h.Files.IndexPendingAsync(ct));
        Assert.Equal(["BNV.2015.99.IMPORT"], await h.Indexer.ListPendingAsync(ct));

        time.Shift = RecordFileService.AbandonedFlagAge + TimeSpan.FromMinutes(1);
        Assert.Equal(0, await h.Files.IndexPendingAsync(ct));
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
    }

    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }

    [Fact]
    public async Task Reindex_without_a_rebuild_capability_upserts_and_clears_pending_flags()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        var codes = await FillAsync(h, 3);
        var flaky = h.Services.GetRequiredService<ControlledIndex>();
        flaky.HideRebuilder = true;
        flaky.Fail = true;
        await h.Files.UpdateAsync(codes[1], ArchiveHarness.FileInput("02.TH") with { Title = "Tiêu đề đổi khi chỉ mục hỏng" }, null, ArchiveHarness.User, ct);
        await h.ProjectedAsync(); // the background projection fails and leaves the flag
        flaky.Fail = false;
        Assert.Single(await h.Indexer.ListPendingAsync(ct));

        var done = await h.Reindex.RunAsync(cancellationToken: ct);
        Assert.Equal(("upsert", 3L, 6L), (done.Mode, done.Processed, done.DocumentsIndexed));
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        Assert.Equal(codes[1], Assert.Single((await h.SearchAsync("chi muc hong")).Hits).Document.Id);
    }

    private sealed class SyncProgress(Action<ReindexStatus> report) : IProgress<ReindexStatus>
    {
        public void Report(ReindexStatus value) => report(value);
    }
}
