using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Exchange;

/// <summary>
/// Runs the exchange jobs one at a time in the background: exports, verifications and acceptances. At start-up it
/// takes up every job left queued or in progress in the store — an export resumes (a handover bag this host left keeps
/// the files already written and checked; elsewhere it is built again), a verification or acceptance runs again (both
/// are safe to repeat) — so nothing is lost and nothing half-done looks complete. A job is run only under its lease
/// (<see cref="PackageExchangeService"/>): with several hosts (<c>Archive:Hosts:Shared</c>) each host also looks in the
/// store every <see cref="ExchangeOptions.PollInterval"/> for jobs nobody runs — new ones accepted by another host, and
/// those of a host that died, once its lease has expired; with one host, jobs are handed over in the process at once.
/// </summary>
public sealed partial class PackageExchangeWorker : BackgroundService
{
    private readonly PackageExchangeService _service;
    private readonly ILogger<PackageExchangeWorker> _logger;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);

    /// <summary>Creates the worker; without a logger (a host that registers no logging) nothing is logged.</summary>
    public PackageExchangeWorker(PackageExchangeService service, ILogger<PackageExchangeWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _logger = logger ?? NullLogger<PackageExchangeWorker>.Instance;
        _service.WorkQueued += Enqueue;
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
        await QueueUnsettledAsync(resuming: true, stoppingToken).ConfigureAwait(false);
        var polling = _service.Shared ? PollAsync(stoppingToken) : Task.CompletedTask;
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                _queued.TryRemove(id, out _);
                try
                {
                    await _service.RunAsync(id, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ArchiveException or IOException && !stoppingToken.IsCancellationRequested)
                {
                    LogNotRun(_logger, ex, id); // the store failed before the run began: taken up again at the next look
                }
            }
        }
        finally
        {
            await polling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Enqueue(string id)
    {
        if (_queued.TryAdd(id, 0))
        {
            _queue.Writer.TryWrite(id);
        }
    }

    private async Task QueueUnsettledAsync(bool resuming, CancellationToken stoppingToken)
    {
        try
        {
            foreach (var job in (await _service.ListAllAsync(stoppingToken).ConfigureAwait(false)).Where(j => !j.IsSettled).OrderBy(j => j.CreatedAt))
            {
                if (resuming)
                {
                    LogResuming(_logger, job.Id, job.Kind, job.State);
                }

                Enqueue(job.Id);
            }
        }
        catch (Exception ex) when (ex is ArchiveException or IOException && !stoppingToken.IsCancellationRequested)
        {
            LogLookFailed(_logger, ex);
        }
    }

    /// <summary>Several hosts: looks for jobs nobody runs every <see cref="ExchangeOptions.PollInterval"/>.</summary>
    private async Task PollAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_service.PollInterval, _service.Time, stoppingToken).ConfigureAwait(false);
                await QueueUnsettledAsync(resuming: false, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1700, EventName = "ExchangeJobResumed", Level = LogLevel.Information, Message = "Taking up package job {JobId} ({Kind}, {State}) found unsettled at start")]
    private static partial void LogResuming(ILogger logger, string jobId, PackageJobKind kind, PackageJobState state);

    [LoggerMessage(EventId = 1705, EventName = "ExchangeJobsLookFailed", Level = LogLevel.Warning, Message = "Could not look for package jobs in the store; trying again later")]
    private static partial void LogLookFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1706, EventName = "ExchangeJobNotRun", Level = LogLevel.Warning, Message = "Package job {JobId} could not be taken up; trying again later")]
    private static partial void LogNotRun(ILogger logger, Exception exception, string jobId);
}
