using Archive.Indexing;
using Xunit;

namespace Archive.Drills.Tests;

/// <summary>
/// What the kill drill found (issue #9): a reindex interrupted by the end of its process, resumed by a later process,
/// must also pick up the record files changed in between that it had already passed — those changes went to the live
/// index only, and the resumed rebuild replaces it.
/// </summary>
public sealed class ReindexResumeTests : IDisposable
{
    private readonly TempFolder _folder = new("reindex-resume");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_reindex_resumed_in_a_new_process_life_keeps_the_changes_made_after_the_interruption()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = System.IO.Path.Combine(_folder.Path, "data");
        string first;
        await using (var engine = new DrillEngine(data))
        {
            await engine.SeedAsync(ct);
            for (var i = 1; i <= 6; i++)
            {
                await engine.Files.CreateAsync(DrillEngine.FileInput($"{i}.RS", 2020, $"Hồ sơ {i}"), DrillEngine.User, ct);
            }

            // Interrupt the rebuild after its first batch (one record file); the checkpoint stays.
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await engine.Reindex.RunAsync(
                new ReindexRequest { BatchSize = 1 },
                new SyncProgress(s =>
                {
                    if (s.Processed >= 1)
                    {
                        cancel.Cancel();
                    }
                }),
                cancel.Token));
            var checkpoint = await engine.Reindex.GetCheckpointAsync(ct);
            Assert.NotNull(checkpoint);
            first = checkpoint.LastFileCode!;
        }

        // Another process life: the file the rebuild already passed changes, and a new file appears.
        await using (var engine = new DrillEngine(data))
        {
            var current = (await engine.Files.GetAsync(first, ct))!;
            await engine.Files.UpdateAsync(first, DrillEngine.FileInput(current.Value.FileNotation, current.Value.FileCatalog, "Tiêu đề đổi sau khi gián đoạn"), current.Version, DrillEngine.User, ct);
            await engine.Files.CreateAsync(DrillEngine.FileInput("7.RS", 2020, "Hồ sơ mới sau khi gián đoạn"), DrillEngine.User, ct);
            Assert.True((await engine.CheckIndexAsync(ct)).IsConsistent);
        }

        await using (var engine = new DrillEngine(data))
        {
            var status = await engine.Reindex.RunAsync(cancellationToken: ct);
            Assert.True(status.Resumed);
            var index = await engine.CheckIndexAsync(ct);
            Assert.True(index.IsConsistent, index.ToString());
        }
    }

    private sealed class SyncProgress(Action<ReindexStatus> report) : IProgress<ReindexStatus>
    {
        public void Report(ReindexStatus value) => report(value);
    }
}
