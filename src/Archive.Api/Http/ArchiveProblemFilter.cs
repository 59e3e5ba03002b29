using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Archive.Api.Http;

/// <summary>
/// Endpoint filter on the <c>MapArchive()</c> group: turns exceptions thrown by the engine or by request parsing into
/// problem details (see <see cref="ArchiveProblems"/>), and any other exception into a bare 500 problem (logged, no
/// stack trace to the client). Works without the host's exception handler.
/// </summary>
internal sealed partial class ArchiveProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The facade answers every failure with a problem; unknown ones are logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var http = context.HttpContext;
            var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Archive.Api");
            if (http.Response.HasStarted)
            {
                // Streaming a download already began: nothing can be said to the client any more.
                if (logger is not null)
                {
                    LogAfterStart(logger, http.Request.Method, http.Request.Path, ex);
                }

                throw;
            }

            var problem = ArchiveProblems.FromException(ex, http);
            if (problem is null)
            {
                if (logger is not null)
                {
                    LogUnexpected(logger, http.Request.Method, http.Request.Path, ex);
                }

                return ArchiveProblems.Unexpected(http);
            }

            if (logger is not null)
            {
                if (problem.StatusCode >= 500)
                {
                    LogBackend(logger, http.Request.Method, http.Request.Path, ex);
                }
                else
                {
                    LogRefused(logger, http.Request.Method, http.Request.Path, problem.StatusCode, ex.Message);
                }
            }

            return problem;
        }
    }

    [LoggerMessage(EventId = 6000, EventName = "UnexpectedError", Level = LogLevel.Error, Message = "Unexpected error in {Method} {Path}.")]
    private static partial void LogUnexpected(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(EventId = 6001, EventName = "BackendFailure", Level = LogLevel.Error, Message = "Backend failure in {Method} {Path}.")]
    private static partial void LogBackend(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(EventId = 6002, EventName = "FailureAfterResponseStarted", Level = LogLevel.Error, Message = "Failure after the response started in {Method} {Path}.")]
    private static partial void LogAfterStart(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(EventId = 6003, EventName = "RequestRefused", Level = LogLevel.Information, Message = "Refused {Method} {Path} with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int status, string reason);
}
