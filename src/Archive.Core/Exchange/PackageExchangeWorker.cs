using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Exchange;

/// <summary>
/// Runs the exchange jobs one at a time in the background: exports, verifications and acceptances. At start-up it
/// takes up every job a stopped server left queued or in progress — an export resumes (a handover bag keeps the files
/// already written and checked), a verification or acceptance runs again (both are safe to repeat) — so nothing is
/// lost and nothing half-done looks complete.
/// </summary>
public sealed partial class PackageExchangeWorker : BackgroundService
{
    private readonly PackageExchangeService _service;
    private readonly ILogger<PackageExchangeWorker> _logger;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Creates the worker; without a logger (a host that registers no logging) nothing is logged.</summary>
    public PackageExchangeWorker(PackageExchangeService service, ILogger<PackageExchangeWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _logger = logger ?? NullLogger<PackageExchangeWorker>.Instance;
        _service.WorkQueued += id => _queue.Writer.TryWrite(id);
    }

    /// <summary>Loads the seal certificate and the trust list first: a wrong path or password stops the host at start-up with the reason, not the first export.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _service.Seals.SigningCertificate;
        _ = _service.Seals.Trust;
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        foreach (var job in _service.ListAll().Where(j => !j.IsSettled).OrderBy(j => j.CreatedAt))
        {
            LogResuming(_logger, job.Id, job.Kind, job.State);
            _queue.Writer.TryWrite(job.Id);
        }

        await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            await _service.RunAsync(id, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1700, EventName = "ExchangeJobResumed", Level = LogLevel.Information, Message = "Resuming package job {JobId} ({Kind}, {State}) left by a stopped server")]
    private static partial void LogResuming(ILogger logger, string jobId, PackageJobKind kind, PackageJobState state);
}
