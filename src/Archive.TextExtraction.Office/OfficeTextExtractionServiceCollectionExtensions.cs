using Archive;
using Archive.Records;
using Archive.TextExtraction.Office;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Office, OpenDocument, HTML and plain-text extractors.</summary>
public static class OfficeTextExtractionServiceCollectionExtensions
{
    /// <summary>
    /// Makes DOCX, XLSX, ODT, ODS, HTML and plain-text content searchable: their text is extracted at ingest
    /// (<see cref="WordprocessingTextExtractor"/>, <see cref="SpreadsheetTextExtractor"/>, <see cref="OpenDocumentTextExtractor"/>,
    /// <see cref="HtmlTextExtractor"/>, <see cref="PlainTextExtractor"/>), beside the engine's PDF extractor. Calling it
    /// twice registers each extractor once. Options are validated when the host starts. The embedded defaults
    /// (<c>AddEmbeddedDefaults</c>) call it.
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configure">Sets the limits (ZIP entries, expansion, compression ratio, HTML size), the legacy code page and the section size.</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddOfficeTextExtraction(this IArchiveBuilder builder, Action<OfficeTextExtractionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<OfficeTextExtractionOptions, OfficeTextExtractionOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        Add<WordprocessingTextExtractor>(services, o => new WordprocessingTextExtractor(o));
        Add<SpreadsheetTextExtractor>(services, o => new SpreadsheetTextExtractor(o));
        Add<OpenDocumentTextExtractor>(services, o => new OpenDocumentTextExtractor(o));
        Add<HtmlTextExtractor>(services, o => new HtmlTextExtractor(o));
        Add<PlainTextExtractor>(services, o => new PlainTextExtractor(o));
        return builder;
    }

    /// <summary>The same as <see cref="AddOfficeTextExtraction(IArchiveBuilder, Action{OfficeTextExtractionOptions}?)"/>, on the service collection of a host that called <c>AddArchive</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the limits, the legacy code page and the section size.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOfficeTextExtraction(this IServiceCollection services, Action<OfficeTextExtractionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        new Builder(services).AddOfficeTextExtraction(configure);
        return services;
    }

    private static void Add<T>(IServiceCollection services, Func<OfficeTextExtractionOptions, T> create)
        where T : class, IContentTextExtractor
        => services.TryAddEnumerable(ServiceDescriptor.Singleton<IContentTextExtractor, T>(sp => create(sp.GetRequiredService<IOptions<OfficeTextExtractionOptions>>().Value)));

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
