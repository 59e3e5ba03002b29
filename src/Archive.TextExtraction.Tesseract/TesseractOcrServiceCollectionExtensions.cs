using Archive;
using Archive.Ocr;
using Archive.Records;
using Archive.TextExtraction.Tesseract;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OCR with Tesseract.</summary>
public static class TesseractOcrServiceCollectionExtensions
{
    /// <summary>
    /// Turns OCR on: scanned content (PNG, JPEG, TIFF, PDFs without a text layer) is marked
    /// <see cref="TextExtractionStatus.PendingOcr"/> at ingest and recognized in the background by
    /// <see cref="OcrBackgroundService"/> with <see cref="TesseractTextRecognizer"/>. Options are validated when the host
    /// starts; missing tools are not an error at start-up (contents get the status
    /// <see cref="TextExtractionStatus.OcrUnavailable"/> and <c>GET /jobs/ocr</c> says what is missing).
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configure">Sets the options (tool paths, languages, timeout, max pages, concurrency).</param>
    /// <param name="configureJob">Sets the job's retries and poll interval.</param>
    public static IArchiveBuilder AddTesseractOcr(this IArchiveBuilder builder, Action<TesseractOcrOptions>? configure = null, Action<OcrJobOptions>? configureJob = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<TesseractOcrOptions, TesseractOcrOptionsValidator>().Configure(o => configure?.Invoke(o));
        if (configureJob is not null)
        {
            services.Configure(configureJob);
        }

        services.TryAddSingleton(sp => new TesseractTextRecognizer(
            sp.GetRequiredService<IOptions<TesseractOcrOptions>>().Value,
            sp.GetService<ILogger<TesseractTextRecognizer>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextRecognizer, TesseractTextRecognizer>(sp => sp.GetRequiredService<TesseractTextRecognizer>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OcrBackgroundService>());
        return builder;
    }

    /// <summary>The same as <see cref="AddTesseractOcr(IArchiveBuilder, Action{TesseractOcrOptions}?, Action{OcrJobOptions}?)"/>, on the service collection of a host that called <c>AddArchive</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (tool paths, languages, timeout, max pages, concurrency).</param>
    /// <param name="configureJob">Sets the job's retries and poll interval.</param>
    public static IServiceCollection AddTesseractOcr(this IServiceCollection services, Action<TesseractOcrOptions>? configure = null, Action<OcrJobOptions>? configureJob = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        new Builder(services).AddTesseractOcr(configure, configureJob);
        return services;
    }

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
