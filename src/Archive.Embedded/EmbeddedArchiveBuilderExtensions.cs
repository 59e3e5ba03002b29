using Archive;
using Archive.Documents;
using Archive.Hosting;
using Archive.Search;
using Archive.Search.Lucene;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded, single-machine composition of Archive.</summary>
public static class EmbeddedArchiveBuilderExtensions
{
    /// <summary>
    /// Registers the embedded providers with <c>TryAdd</c>: the file-system object store in <c>DataPath/store</c>,
    /// the Lucene.NET index in <c>DataPath/index</c> and the OpenXml writer of the handover and transfer documents; and
    /// the text extractors of DOCX, XLSX, ODT, ODS, HTML and plain text (<c>AddOfficeTextExtraction</c>, options
    /// <see cref="Archive.TextExtraction.Office.OfficeTextExtractionOptions"/>), so those uploads are searchable.
    /// A provider registered on the builder with its own call (e.g. <c>.AddMinioStorage(...)</c>,
    /// <c>.AddElasticsearchSearch(...)</c>, your own <see cref="IObjectStore"/>) wins, whether it is added before or
    /// after this call.
    /// </summary>
    /// <example><code>services.AddArchive(o => o.DataPath = "/var/lib/archive").AddEmbeddedDefaults();</code></example>
    /// <param name="builder">The builder returned by <c>AddArchive</c>.</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddEmbeddedDefaults(this IArchiveBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<IObjectStore>(sp => new FileSystemObjectStore(
            new FileSystemStoreOptions { RootPath = Path.Combine(DataPath(sp), "store") },
            sp.GetService<ILogger<FileSystemObjectStore>>()));
        services.TryAddSingleton<ISearchIndex>(sp => new LuceneSearchIndex(
            new LuceneSearchOptions { IndexPath = Path.Combine(DataPath(sp), "index") },
            sp.GetService<ILogger<LuceneSearchIndex>>()));
        services.TryAddSingleton<IOfficeDocumentWriter, OpenXmlDocumentWriter>();
        services.TryAddSingleton<ILocationDocumentWriter, OpenXmlLocationDocumentWriter>();
        services.TryAddSingleton<IStatisticsReportWriter, OpenXmlStatisticsReportWriter>();
        builder.AddOfficeTextExtraction();
        return builder;
    }

    private static string DataPath(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            throw new OptionsValidationException(nameof(ArchiveOptions), typeof(ArchiveOptions), ["ArchiveOptions.DataPath is required by the embedded file-system store and Lucene index."]);
        }

        return options.DataPath;
    }
}
