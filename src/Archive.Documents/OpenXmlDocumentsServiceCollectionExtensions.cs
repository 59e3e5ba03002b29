using Archive;
using Archive.Documents;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OpenXml writer of the official handover and transfer documents.</summary>
public static class OpenXmlDocumentsServiceCollectionExtensions
{
    /// <summary>
    /// Uses <see cref="OpenXmlDocumentWriter"/> (XLSX/DOCX) as the <see cref="IOfficeDocumentWriter"/> the handover
    /// export and the transfer to the Historical Archives print their documents with (singleton). Replaces a writer
    /// registered before (the last registration wins), <see cref="OpenXmlLocationDocumentWriter"/> as the
    /// <see cref="ILocationDocumentWriter"/> (box labels, location reports) and <see cref="OpenXmlStatisticsReportWriter"/> as
    /// the <see cref="IStatisticsReportWriter"/> of the statistics report. <c>AddEmbeddedDefaults()</c> registers them too.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArchive</c>.</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddOpenXmlDocuments(this IArchiveBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IOfficeDocumentWriter, OpenXmlDocumentWriter>());
        builder.Services.Replace(ServiceDescriptor.Singleton<ILocationDocumentWriter, OpenXmlLocationDocumentWriter>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IStatisticsReportWriter, OpenXmlStatisticsReportWriter>());
        return builder;
    }
}
