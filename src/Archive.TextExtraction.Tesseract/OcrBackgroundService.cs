using Archive.Ocr;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.TextExtraction.Tesseract;

/// <summary>
/// Runs the engine's OCR job (<see cref="OcrService.RunPendingAsync"/>) in the background every
/// <see cref="OcrJobOptions.PollInterval"/>. A failing pass is logged and tried again on the next tick; it never stops
/// the host or blocks ingest.
/// </summary>
public sealed partial class OcrBackgroundService : BackgroundService
{
    private readonly OcrService _ocr;
    private readonly ILogger _logger;

    /// <summary>Creates the worker.</summary>
    public OcrBackgroundService(OcrService ocr, ILogger<OcrBackgroundService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ocr);
        _ocr = ocr;
        _logger = logger ?? NullLogger<OcrBackgroundService>.Instance;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _ocr.RunPendingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A background job logs its failure and tries again on the next tick.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPassFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(_ocr.Options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 7100, EventName = "OcrPassFailed", Level = LogLevel.Error, Message = "An OCR pass failed; it is tried again on the next tick.")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
