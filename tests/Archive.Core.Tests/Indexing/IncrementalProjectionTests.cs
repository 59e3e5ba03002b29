using Archive.Core.Tests.Records;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Xunit;

namespace Archive.Core.Tests.Indexing;

/// <summary>A change re-projects what it changed, not the whole record file (#23 flat cost).</summary>
public sealed class IncrementalProjectionTests
{
    private static readonly byte[] Pdf = TestPdf.Create("Tờ trình về việc sáp nhập Sở Khoa học và Công nghệ");

    private static (RecordIndexer Indexer, List<IReadOnlyCollection<SearchDocument>> Writes) Recording(ArchiveStorage storage)
    {
        var writes = new List<IReadOnlyCollection<SearchDocument>>();
        var index = new Mock<ISearchIndex>();
        index.Setup(i => i.IndexAsync(It.IsAny<IReadOnlyCollection<SearchDocument>>(), It.IsAny<CancellationToken>()))
            .Callback<IReadOnlyCollection<SearchDocument>, CancellationToken>((d, _) => writes.Add(d))
            .Returns(ValueTask.CompletedTask);
        return (new RecordIndexer(storage, index.Object), writes);
    }

    private static string[] Ids(IReadOnlyCollection<SearchDocument> written) => [.. written.Select(d => d.Id).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Only_the_record_file_and_the_changed_documents_are_projected_with_one_host()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var storage = h.Services.GetRequiredService<ArchiveStorage>();
        var (indexer, writes) = Recording(storage);

        var v1 = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.TANG"), ArchiveHarness.User, ct)).Stored;
        var code = v1.Value.FileCode;
        var v2 = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("01"), null, ArchiveHarness.User, ct)).Stored;
        var v3 = (await h.Files.AddDocumentAsync(code, new DocumentImport { Document = ArchiveHarness.DocInput("02"), Contents = [new ContentUpload { FileName = "tờ trình.pdf", Content = new MemoryStream(Pdf) }] }, null, ArchiveHarness.User, ct)).Stored;
        var v4 = (await h.Files.UpdateDocumentAsync(code, 1, ArchiveHarness.DocInput("01", subject: "Về việc sáp nhập"), null, ArchiveHarness.User, ct)).Stored;
        var v5 = (await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.TANG") with { Title = "Hồ sơ sáp nhập Sở Khoa học và Công nghệ" }, null, ArchiveHarness.User, ct)).Stored;

        await indexer.WriteProjectionAsync([v2], ct); // first seen: everything
        Assert.Equal([code, code + "/1"], Ids(writes[^1]));

        await indexer.WriteProjectionAsync([v3], ct); // a new document: it and the record file only, with its text
        Assert.Equal([code, code + "/2"], Ids(writes[^1]));
        Assert.Contains("sáp nhập Sở Khoa học", writes[^1].Single(d => d.Id == code + "/2").Pages!.Single(), StringComparison.Ordinal);
        Assert.All(writes[^1], d => Assert.Equal(3, d.Version));

        await indexer.WriteProjectionAsync([v4], ct); // one document's elements changed
        Assert.Equal([code, code + "/1"], Ids(writes[^1]));

        await indexer.WriteProjectionAsync([v5], ct); // the record file's own elements reach every document
        Assert.Equal([code, code + "/1", code + "/2"], Ids(writes[^1]));
        Assert.Contains("sáp nhập Sở Khoa học", writes[^1].Single(d => d.Id == code + "/2").Pages!.Single(), StringComparison.Ordinal);

        await indexer.WriteProjectionAsync([v5], ct); // the same version again (a pending run): everything
        Assert.Equal(3, writes[^1].Count);
        await indexer.WriteProjectionAsync([v4], ct); // an older version than the one written: everything, never a diff backwards
        Assert.Equal(3, writes[^1].Count);

        // Forgotten (e.g. after a rebuild): everything again.
        await indexer.WriteProjectionAsync([v5 with { }], ct);
        indexer.ForgetProjected();
        var v6 = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("03"), null, ArchiveHarness.User, ct)).Stored;
        await indexer.WriteProjectionAsync([v6], ct);
        Assert.Equal(4, writes[^1].Count);
    }

    [Fact]
    public async Task With_several_hosts_on_the_storage_every_change_projects_the_whole_record_file()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var local = h.Services.GetRequiredService<ArchiveStorage>();
        var shared = new ArchiveStorage(local.Objects, (_, root) => root switch
        {
            ArchiveStorage.FilesRoot => local.Files,
            ArchiveStorage.AgenciesRoot => local.Agencies,
            ArchiveStorage.FondsRoot => local.Fonds,
            _ => local.Schedules,
        }) { Shared = true };
        var (indexer, writes) = Recording(shared);

        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CHUNG"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var v2 = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("01"), null, ArchiveHarness.User, ct)).Stored;
        var v3 = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("02"), null, ArchiveHarness.User, ct)).Stored;
        await indexer.WriteProjectionAsync([v2], ct);
        await indexer.WriteProjectionAsync([v3], ct);
        Assert.Equal([code, code + "/1", code + "/2"], Ids(writes[^1]));
    }
}
