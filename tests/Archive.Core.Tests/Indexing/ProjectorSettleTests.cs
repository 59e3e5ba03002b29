using System.Diagnostics;
using Archive.Core.Tests.Records;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Xunit;

namespace Archive.Core.Tests.Indexing;

/// <summary>The record files of one projection batch settle together (#23 lag): a write in progress on one does not hold back the others.</summary>
public sealed class ProjectorSettleTests
{
    [Fact]
    public async Task A_write_in_progress_on_one_record_file_does_not_hold_back_the_other_record_files_of_its_batch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var a = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.A"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var b = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.B"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.ProjectedAsync();

        // A projector of its own over the same storage, with a lock per record file (no striping) and an index that
        // accepts everything; it waits a moment after the first change so that both record files form one batch.
        var index = new Mock<ISearchIndex>();
        index.Setup(i => i.IndexAsync(It.IsAny<IReadOnlyCollection<SearchDocument>>(), It.IsAny<CancellationToken>())).Returns(ValueTask.CompletedTask);
        var indexer = new RecordIndexer(h.Services.GetRequiredService<ArchiveStorage>(), index.Object);
        var locks = new Dictionary<string, SemaphoreSlim> { [a] = new(1, 1), [b] = new(1, 1) };
        var options = new ArchiveOptions();
        options.Projection.MaxDelay = TimeSpan.FromMilliseconds(300);
        await using var projector = new RecordProjector(indexer, code => locks[code], options, TimeProvider.System, NullLogger.Instance);

        await projector.BeforeCommitAsync(a, "test", ct);
        await projector.BeforeCommitAsync(b, "test", ct);
        await locks[a].WaitAsync(ct); // a write to A is in progress: it holds A's lock
        projector.Committed(a, 1);
        projector.Committed(b, 1);

        // B settles although A's lock is held (one after the other, B waited for A's write to end).
        Assert.True(await Until(() => projector.KnownSearchable(b) == 1, TimeSpan.FromSeconds(15)), "record file B was not settled while A's lock was held");
        Assert.Null(projector.KnownSearchable(a));
        Assert.True(projector.IsPendingHere(a, 1));

        locks[a].Release();
        Assert.True(await Until(() => projector.KnownSearchable(a) == 1, TimeSpan.FromSeconds(15)));
        Assert.False(projector.IsPendingHere(a, 1));
    }

    private static async Task<bool> Until(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return true;
    }
}
