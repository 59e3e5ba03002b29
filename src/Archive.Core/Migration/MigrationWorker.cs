using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Migration;

/// <summary>
/// Runs the migration jobs accepted over REST in the background, one at a time: at start-up it takes up every job left
/// queued or running (a restart or a crash: resumed from its checkpoint), then each new job as it is accepted; with
/// several hosts (<c>Archive:Hosts:Shared</c>) it also looks every 30 seconds for jobs nobody runs (accepted by another
/// host, or left by a host that died once its lease expired). Jobs of the command line are the operator's: not taken up.
/// </summary>
public sealed partial class MigrationWorker : BackgroundService
{
    private readonly MigrationService _service;
    private readonly ILogger _logger;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Creates the worker.</summary>
    public MigrationWorker(MigrationService service, ILogger<MigrationWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _service.JobQueued += id => _queue.Writer.TryWrite(id);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await QueueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
        var polling = _service.Shared ? PollAsync(stoppingToken) : Task.CompletedTask;
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _service.RunAsync(id, null, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return; // resumed at the next start
                }
#pragma warning disable CA1031 // A job that cannot run now (the store failed) is taken up again at the next start or look.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogNotRun(_logger, ex, id);
                }
            }
        }
        finally
        {
            await polling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task QueueUnfinishedAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var id in await _service.ListUnfinishedAsync(stoppingToken).ConfigureAwait(false))
            {
                _queue.Writer.TryWrite(id);
            }
        }
        catch (ArchiveException ex)
        {
            LogNotRun(_logger, ex, "*");
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await QueueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1982, EventName = "MigrationNotRun", Level = LogLevel.Warning, Message = "Migration job {JobId} could not run now; it is taken up again later")]
    private static partial void LogNotRun(ILogger logger, Exception exception, string jobId);
}
