using Archive.Core.Tests.Records;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Archive.Core.Tests.Indexing;

/// <summary>
/// The write path acknowledges at the storage commit and projects into the search index in the background (#23):
/// a write does not wait for the index, a burst is projected once per batch, a crash in between heals at start-up, a
/// flag survives a newer change that arrived during a projection, and the projection state can be asked and waited for.
/// </summary>
public sealed class ProjectionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_write_returns_at_its_commit_while_the_index_is_blocked_and_becomes_searchable_after()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();
        index.Block();

        // The write completes although every index call blocks (before #23 it waited for the index commit).
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct).AsTask().WaitAsync(Long, ct);
        var code = created.Stored.Value.FileCode;
        Assert.Equal(new RecordFileProjection(code, 1, ProjectionState.Pending, null), created.Projection);
        Assert.Equal(ProjectionState.Pending, (await h.Files.GetProjectionAsync(code, 1, ct)).State);
        Assert.Equal([code], await h.Indexer.ListPendingAsync(ct)); // flagged before the commit

        // A bounded wait says pending when the bound passes; once the index goes on it says searchable.
        Assert.Equal(ProjectionState.Pending, (await h.Files.WaitSearchableAsync(code, 1, TimeSpan.FromMilliseconds(200), ct)).State);
        index.Release();
        Assert.Equal(new RecordFileProjection(code, 1, ProjectionState.Searchable, 1), await h.Files.WaitSearchableAsync(code, 1, Long, ct));
        Assert.Equal(code, Assert.Single((await h.SearchAsync("sap xep")).Hits).Document.Id);
        await WaitUntilAsync(async () => (await h.Indexer.ListPendingAsync(ct)).Count == 0);
    }

    [Fact]
    public async Task A_burst_of_changes_is_projected_once_per_record_file_in_one_index_call()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();
        var first = await h.Files.CreateAsync(ArchiveHarness.FileInput("01.A"), ArchiveHarness.User, ct);
        await h.ProjectedAsync();
        var callsBefore = index.Calls;

        // While one batch is held in the index, ten changes to one record file and two new record files queue up.
        index.Block();
        var code = first.Stored.Value.FileCode;
        var warmUp = await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.A") with { Title = "Lần 0" }, null, ArchiveHarness.User, ct);
        await WaitUntilAsync(() => Task.FromResult(index.Waiting > 0));
        for (var i = 1; i <= 10; i++)
        {
            await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.A") with { Title = $"Lần sửa {i}" }, null, ArchiveHarness.User, ct);
        }

        var b = await h.Files.CreateAsync(ArchiveHarness.FileInput("02.B"), ArchiveHarness.User, ct);
        var c = await h.Files.CreateAsync(ArchiveHarness.FileInput("03.C"), ArchiveHarness.User, ct);
        index.Release();
        Assert.True(await h.Files.WaitForProjectionAsync(Long, ct));

        // The held batch (the warm-up change) and one more call for everything that queued meanwhile, each record file
        // once, from its head.
        Assert.Equal(callsBefore + 2, index.Calls);
        var last = index.Batches[^1];
        Assert.Equal([code, b.Stored.Value.FileCode, c.Stored.Value.FileCode], last.Where(d => d.Kind == SearchDocumentKind.RecordFile).Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal((long?)(warmUp.Stored.Version + 10), last.Single(d => d.Id == code).Version);
        Assert.Equal(code, Assert.Single((await h.SearchAsync("lan sua 10")).Hits).Document.Id);
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
    }

    [Fact]
    public async Task A_crash_between_the_acknowledgement_and_the_projection_heals_when_the_engine_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();

        // Committed and flagged, never projected (the index is down until the process dies).
        index.Fail = true;
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        var code = created.Stored.Value.FileCode;
        await h.ProjectedAsync();
        await h.ReopenAsync();
        Assert.Equal(0, (await h.Search.SearchAsync(new SearchRequest { Query = "sap xep", Consistency = SearchConsistency.ReadYourWrites }, ct)).Total);
        Assert.Equal(ProjectionState.Pending, (await h.Files.GetProjectionAsync(code, 1, ct)).State);

        // A new engine: its start-up service (registered by AddArchive) projects the flagged record file.
        var hosted = h.Services.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(ct);
        }

        try
        {
            Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(code, 1, Long, ct)).State);
            Assert.Equal(code, Assert.Single((await h.SearchAsync("sap xep")).Hits).Document.Id);
            Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(ct);
            }
        }
    }

    [Fact]
    public async Task The_flag_stays_when_a_newer_change_arrived_while_the_older_one_was_being_projected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();
        var code = ArchiveHarness.AgencyId + ".2015.01.TCCB";

        // While version 1 is written to the index, version 2 is committed (its flag is the one already there); then the
        // index fails for version 2. The flag must survive the end of version 1's projection.
        index.BeforeCall = async call =>
        {
            if (call == index.FailFromCall - 1)
            {
                await h.Files.UpdateAsync(code, ArchiveHarness.FileInput() with { Title = "Phiên bản hai" }, null, ArchiveHarness.User, ct);
                index.Fail = true;
            }
        };
        index.FailFromCall = 2;
        await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        await WaitUntilAsync(() => Task.FromResult(index.Calls >= 2));
        await h.ProjectedAsync();

        Assert.Equal([code], await h.Indexer.ListPendingAsync(ct));
        Assert.Equal(new RecordFileProjection(code, 2, ProjectionState.Pending, 1), await h.Files.GetProjectionAsync(code, 2, ct));

        // A crash now: the next engine's pending run projects version 2.
        await h.ReopenAsync();
        Assert.Equal(1, await h.Files.IndexPendingAsync(ct));
        Assert.Equal(code, Assert.Single((await h.SearchAsync("phien ban hai")).Hits).Document.Id);
        Assert.Equal(ProjectionState.Searchable, (await h.Files.GetProjectionAsync(code, 2, ct)).State);
    }

    [Fact]
    public async Task The_pending_run_leaves_a_flag_the_projector_holds_and_the_projector_clears_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();
        index.Block();
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        await WaitUntilAsync(() => Task.FromResult(index.Waiting > 0));

        // The start-up/periodic run does not project (nor unflag) what this engine's projector is projecting.
        Assert.Equal(0, await h.Files.IndexPendingAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal([created.Stored.Value.FileCode], await h.Indexer.ListPendingAsync(ct));

        index.Release();
        Assert.True(await h.Files.WaitForProjectionAsync(Long, ct));
        await WaitUntilAsync(async () => (await h.Indexer.ListPendingAsync(ct)).Count == 0);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Long);
        while (!await condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
