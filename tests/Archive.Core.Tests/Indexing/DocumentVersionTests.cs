using System.Collections.Concurrent;
using Archive.Core.Tests.Records;
using Archive.Disposition;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace Archive.Core.Tests.Indexing;

/// <summary>
/// Every search document Core writes carries the package version of the record file it was projected from (issue
/// #20: an index shared by several hosts keeps the newest projection), on every path that writes: commits, the
/// pending-index run, a reindex; and a destruction deletes with the destroyed head version.
/// </summary>
public sealed class DocumentVersionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The real Lucene index, recording what is written to it (and hiding its rebuild, so a reindex upserts).</summary>
    private sealed class RecordingIndex(ISearchIndex inner) : DelegatingSearchIndex(inner)
    {
        public ConcurrentQueue<IReadOnlyList<SearchDocument>> Writes { get; } = new();

        public ConcurrentQueue<(IReadOnlyList<string> Ids, long? Version)> Deletes { get; } = new();

        public volatile bool Fail;

        public override object? GetService(Type serviceType, object? serviceKey = null)
            => serviceType == typeof(ISearchIndexRebuilder) ? null : base.GetService(serviceType, serviceKey);

        public override ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new ArchiveSearchException("recording", "test", "index", "simulated outage");
            }

            Writes.Enqueue([.. documents]);
            return base.IndexAsync(documents, cancellationToken);
        }

        public override ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
        {
            Deletes.Enqueue(([.. ids], null));
            return base.DeleteAsync(ids, cancellationToken);
        }

        public override ValueTask DeleteAsync(IReadOnlyCollection<string> ids, long version, CancellationToken cancellationToken = default)
        {
            Deletes.Enqueue(([.. ids], version));
            return base.DeleteAsync(ids, version, cancellationToken);
        }

        /// <summary>The last write since the previous call (which must exist).</summary>
        public IReadOnlyList<SearchDocument> Last()
        {
            var all = Writes.ToList();
            Writes.Clear();
            Assert.NotEmpty(all);
            return all[^1];
        }
    }

    private static ArchiveHarness Create() => ArchiveHarness.Create(services: services =>
    {
        services.AddSingleton(sp => new Archive.Search.Lucene.LuceneSearchIndex(new Archive.Search.Lucene.LuceneSearchOptions
        {
            IndexPath = Path.Combine(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Archive.Hosting.ArchiveOptions>>().Value.DataPath, "index"),
        }));
        services.AddSingleton(sp => new RecordingIndex(sp.GetRequiredService<Archive.Search.Lucene.LuceneSearchIndex>()));
        services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(sp => sp.GetRequiredService<RecordingIndex>()));
    });

    private static void AssertAllAt(IReadOnlyList<SearchDocument> written, int version, int count)
    {
        Assert.Equal(count, written.Count);
        Assert.All(written, d => Assert.Equal(version, d.Version));
    }

    [Fact]
    public async Task Each_commit_indexes_its_documents_with_the_package_version_it_committed()
    {
        await using var h = Create();
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<RecordingIndex>();
        index.Writes.Clear();

        var created = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VER"), ArchiveHarness.User, Ct)).Stored;
        await h.ProjectedAsync();
        AssertAllAt(index.Last(), created.Version, 1);
        Assert.Equal(1, created.Version);

        var code = created.Value.FileCode;
        var added = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("01"), null, ArchiveHarness.User, Ct)).Stored;
        await h.ProjectedAsync();
        AssertAllAt(index.Last(), added.Version, 2); // the record file and its document, both at the new head
        Assert.Equal(2, added.Version);

        var updated = (await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.VER") with { Title = "Tiêu đề mới" }, null, ArchiveHarness.User, Ct)).Stored;
        await h.ProjectedAsync();
        AssertAllAt(index.Last(), 3, 2);
        Assert.Equal(3, updated.Version);
    }

    [Fact]
    public async Task The_pending_index_run_and_a_reindex_write_the_stored_head_version()
    {
        await using var h = Create();
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<RecordingIndex>();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.VER"), ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("02"), null, ArchiveHarness.User, Ct);

        await h.ProjectedAsync();
        index.Fail = true;
        await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("02.VER") with { Title = "Đổi khi chỉ mục hỏng" }, null, ArchiveHarness.User, Ct); // v3, flagged
        await h.ProjectedAsync(); // its background projection fails
        index.Fail = false;
        index.Writes.Clear();
        Assert.Equal(1, await h.Files.IndexPendingAsync(Ct));
        AssertAllAt(index.Last(), 3, 2);

        await h.Reindex.RunAsync(cancellationToken: Ct);
        AssertAllAt(index.Last(), 3, 2);
    }

    [Fact]
    public async Task A_destruction_deletes_with_the_destroyed_head_version()
    {
        await using var h = Create();
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<RecordingIndex>();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.HUY", 2015) with { Maintenance = RetentionPeriod.OfYears(10) }, ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var head = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(year: 2015), null, ArchiveHarness.User, Ct)).Stored.Version;
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(new DispositionDecisionInput
        {
            Id = "QD-VER-01",
            DecisionNumber = "15/QĐ-BNV",
            DecisionDate = new DateOnly(2026, 5, 4),
            LegalBasis = "Thông tư 06/2025/TT-BNV",
            CouncilMinutesReference = "Biên bản họp Hội đồng ngày 20/4/2026",
            AgencyId = ArchiveHarness.AgencyId,
            ExplanatoryNote = "Hủy 1 hồ sơ",
            FileCodes = [code],
        }, ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-VER-01", new ArchiveUser("Phạm Thị Duyệt"), Ct);
        var executed = await service.ExecuteAsync("QD-VER-01", new ArchiveUser("Phạm Thị Duyệt"), Ct);
        Assert.Equal(DispositionFileOutcome.Destroyed, Assert.Single(executed.Value.Results).Outcome);

        var delete = Assert.Single(index.Deletes);
        Assert.Equal([SearchProjection.RecordFileId(code), SearchProjection.DocumentId(code, 1)], delete.Ids);
        Assert.Equal(head, delete.Version);
    }
}
