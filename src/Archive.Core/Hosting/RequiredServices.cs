using Archive.Documents;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Hosting;

/// <summary>
/// The providers the engine needs and no package of the engine registers (Core depends on no provider): resolved
/// with a message that says which call registers one, instead of the container's bare "no service registered".
/// </summary>
internal static class RequiredServices
{
    /// <summary>The registered <see cref="IObjectStore"/>.</summary>
    /// <exception cref="InvalidOperationException">None is registered.</exception>
    public static IObjectStore ObjectStore(IServiceProvider services) =>
        services.GetService<IObjectStore>() ?? throw new InvalidOperationException(
            "The Archive engine has no object store (IObjectStore): call .AddEmbeddedDefaults() (package Archive.Embedded: a local folder in DataPath/store), "
            + ".AddFileSystemStorage(...) (Archive.Storage.FileSystem) or .AddMinioStorage(...) (Archive.Storage.Minio) on the builder returned by services.AddArchive(...), or register your own IObjectStore.");

    /// <summary>The registered <see cref="ISearchIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">None is registered.</exception>
    public static ISearchIndex SearchIndex(IServiceProvider services) =>
        services.GetService<ISearchIndex>() ?? throw new InvalidOperationException(
            "The Archive engine has no search index (ISearchIndex): call .AddEmbeddedDefaults() (package Archive.Embedded: Lucene.NET in DataPath/index), "
            + ".AddLuceneSearch(...) (Archive.Search.Lucene) or .AddElasticsearchSearch(...) (Archive.Search.Elastic) on the builder returned by services.AddArchive(...), or register your own ISearchIndex.");

    /// <summary>The registered <see cref="IOfficeDocumentWriter"/>, needed by <paramref name="consumer"/>.</summary>
    /// <exception cref="InvalidOperationException">None is registered.</exception>
    public static IOfficeDocumentWriter OfficeDocuments(IServiceProvider services, string consumer) =>
        services.GetService<IOfficeDocumentWriter>() ?? throw new InvalidOperationException(
            $"{consumer} prints its documents (XLSX/DOCX) with an IOfficeDocumentWriter and none is registered: call .AddOpenXmlDocuments() (package Archive.Documents) "
            + "or .AddEmbeddedDefaults() (package Archive.Embedded) on the builder returned by services.AddArchive(...), or register your own IOfficeDocumentWriter.");
}
