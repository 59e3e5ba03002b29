using System.Globalization;

namespace Archive.Search.Lucene.Tests;

public sealed class DurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_acknowledged_before_the_writer_process_was_killed_survive()
    {
        using var folder = new TempFolder();
        using var child = CrashChild.Start(folder.Path);
        var lastAcked = -1;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (lastAcked < 25)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail("child ended early: " + await child.StandardError.ReadToEndAsync(Ct));
                }

                if (line.StartsWith("acked ", StringComparison.Ordinal))
                {
                    lastAcked = int.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
                }
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // mid-write: the child is indexing the next document right now
            await child.WaitForExitAsync(Ct);
        }

        using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path });
        var results = await index.SearchAsync(new SearchRequest { Query = "trước sự cố", PageSize = 1000, Consistency = SearchConsistency.ReadYourWrites }, Ct);
        var ids = results.Hits.Select(h => h.Document.Id).ToHashSet();
        for (var i = 0; i <= lastAcked; i++)
        {
            Assert.Contains("crash-" + i.ToString("D5", CultureInfo.InvariantCulture), ids);
        }

        // The reopened index takes writes again.
        await index.IndexAsync([new SearchDocument { Id = "after", Title = "Sau sự cố" }], Ct);
        Assert.Equal(1, (await index.SearchAsync(new SearchRequest { Query = "sau", Consistency = SearchConsistency.ReadYourWrites }, Ct)).Total);
    }

    [Fact]
    public async Task An_abandoned_writer_leaves_a_usable_index_on_disk()
    {
        using var folder = new TempFolder();
        using var snapshot = new TempFolder();
        var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path });
        await index.IndexAsync(Enumerable.Range(0, 40).Select(i => new SearchDocument { Id = "d" + i, Title = "Hồ sơ số " + i }).ToList(), Ct);
        await index.DeleteAsync(["d0"], Ct);
        index.AbandonForCrashTest(); // never closed: no final commit, the lock file stays

        CopyTree(folder.Path, snapshot.Path); // the disk as a killed process leaves it
        using var reopened = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = snapshot.Path });
        var results = await reopened.SearchAsync(new SearchRequest { Query = "hồ sơ", PageSize = 100 }, Ct);
        Assert.Equal(39, results.Total);
        Assert.DoesNotContain(results.Hits, h => h.Document.Id == "d0");
    }

    [Fact]
    public async Task Reopening_a_cleanly_closed_index_keeps_documents_and_generation()
    {
        using var folder = new TempFolder();
        string generation;
        using (var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path }))
        {
            await index.IndexAsync([new SearchDocument { Id = "a", Title = "Mục lục hồ sơ" }], Ct);
            generation = index.LiveGeneration;
        }

        using var again = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path });
        Assert.Equal(generation, again.LiveGeneration);
        Assert.Equal(1, (await again.SearchAsync(new SearchRequest { Query = "muc luc" }, Ct)).Total);
    }

    [Fact]
    public void A_second_writer_on_the_same_folder_fails_with_a_search_exception()
    {
        using var folder = new TempFolder();
        using var first = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path });
        var e = Assert.Throws<ArchiveSearchException>(() => new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path }));
        Assert.Equal("lucene", e.System);
        Assert.Equal("open", e.Operation);
        Assert.Equal(Path.GetFullPath(folder.Path), e.Index);
    }

    [Fact]
    public void A_pointer_to_a_missing_generation_fails_with_a_search_exception()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "current"), "g000042");
        var e = Assert.Throws<ArchiveSearchException>(() => new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path }));
        Assert.Equal("open", e.Operation);
        Assert.Contains("g000042", e.Message, StringComparison.Ordinal);
    }

    internal static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
