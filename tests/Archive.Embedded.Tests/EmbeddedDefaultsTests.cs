using Archive.Documents;
using Archive.Hosting;
using Archive.Records;
using Archive.Search;
using Archive.Search.Lucene;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.Embedded.Tests;

/// <summary><c>AddEmbeddedDefaults</c>: the single-machine providers, each replaced by a provider the host registers, before or after.</summary>
public sealed class EmbeddedDefaultsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "archive-embedded-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Defaults_are_a_folder_store_a_Lucene_index_and_the_OpenXml_documents_in_DataPath()
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = _path).AddEmbeddedDefaults().AddReorganisation().AddTransfer();
        using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        sp.GetRequiredService<IStartupValidator>().Validate();

        var store = Assert.IsType<FileSystemObjectStore>(sp.GetRequiredService<IObjectStore>());
        Assert.Equal(Path.Combine(_path, "store"), store.RootPath);
        Assert.IsType<LuceneSearchIndex>(sp.GetRequiredService<ISearchIndex>());
        Assert.IsType<OpenXmlDocumentWriter>(sp.GetRequiredService<IOfficeDocumentWriter>());
        Assert.NotNull(Archive.Packages.PackageStoreExtensions.GetService<Archive.Packages.OcflPackageStore>(Assert.IsType<Archive.Audit.AuditedPackageStore>(sp.GetRequiredService<ArchiveStorage>().Files)));
        Assert.NotNull(sp.GetRequiredService<RecordFileService>());
        Assert.NotNull(sp.GetRequiredService<Archive.Handover.HandoverService>());
        Assert.NotNull(sp.GetRequiredService<Archive.Transfer.TransferService>());
    }

    [Fact]
    public void Defaults_extract_the_text_of_office_html_and_plain_text_content_once_each()
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = _path).AddEmbeddedDefaults().AddOfficeTextExtraction(o => o.LegacyCodePage = 1252);
        using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        sp.GetRequiredService<IStartupValidator>().Validate();

        var extractors = sp.GetServices<IContentTextExtractor>().ToList();
        Assert.Equal(6, extractors.Count); // PDF (engine) + five from Archive.TextExtraction.Office, each once
        string[] types =
        [
            "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet", "text/html", "text/plain",
        ];
        Assert.All(types, t => Assert.Single(extractors, e => e.CanExtract(t)));
        Assert.Equal(1252, sp.GetRequiredService<IOptions<Archive.TextExtraction.Office.OfficeTextExtractionOptions>>().Value.LegacyCodePage);
    }

    [Fact]
    public void An_unknown_legacy_code_page_stops_the_host_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = _path).AddEmbeddedDefaults().AddOfficeTextExtraction(o => o.LegacyCodePage = 4242);
        using var sp = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("LegacyCodePage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_registered_after_the_defaults_wins()
    {
        var other = Path.Combine(_path, "elsewhere");
        var documents = new NoDocuments();
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = _path)
            .AddEmbeddedDefaults()
            .AddFileSystemStorage(o => o.RootPath = other)
            .AddLuceneSearch(o => o.IndexPath = Path.Combine(other, "index"));
        services.AddSingleton<IOfficeDocumentWriter>(documents);
        using var sp = services.BuildServiceProvider();

        Assert.Equal(other, Assert.IsType<FileSystemObjectStore>(sp.GetRequiredService<ArchiveStorage>().Objects).RootPath);
        Assert.Same(sp.GetRequiredService<LuceneSearchIndex>(), sp.GetRequiredService<Archive.Indexing.RecordIndexer>().Index);
        Assert.Same(documents, sp.GetRequiredService<IOfficeDocumentWriter>());
    }

    [Fact]
    public void A_provider_registered_before_the_defaults_wins()
    {
        var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(_path, "mine") });
        using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = Path.Combine(_path, "my-index") });
        var documents = new NoDocuments();
        var services = new ServiceCollection();
        var builder = services.AddArchive(o => o.DataPath = _path);
        services.AddSingleton<IObjectStore>(store);
        services.AddSingleton<ISearchIndex>(index);
        services.AddSingleton<IOfficeDocumentWriter>(documents);
        builder.AddEmbeddedDefaults();
        using var sp = services.BuildServiceProvider();

        Assert.Same(store, sp.GetRequiredService<ArchiveStorage>().Objects);
        Assert.Same(index, sp.GetRequiredService<Archive.Indexing.RecordIndexer>().Index);
        Assert.Same(documents, sp.GetRequiredService<IOfficeDocumentWriter>());
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private sealed class NoDocuments : IOfficeDocumentWriter
    {
        public CatalogueTotals WriteCatalogueXlsx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output) => throw new NotSupportedException();

        public CatalogueTotals WriteCatalogueDocx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output) => throw new NotSupportedException();

        public void WriteHandoverRecordDocx(HandoverRecordDocument document, Stream output) => throw new NotSupportedException();

        public void WriteTransferRecordDocx(TransferRecordDocument document, Stream output) => throw new NotSupportedException();

        public void WriteDestructionNoteDocx(DestructionNoteDocument document, Stream output) => throw new NotSupportedException();

        public void WriteDestructionRecordDocx(DestructionRecordDocument document, Stream output) => throw new NotSupportedException();
    }
}
