using System.Text;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Elastic.Transport.Products.Elasticsearch;

namespace Archive.Search.Elastic.Internal;

/// <summary>Turns failed Elasticsearch responses into <see cref="ArchiveSearchException"/>s naming index, operation and the server's error.</summary>
internal static class Errors
{
    public const string System = "elasticsearch";

    /// <summary>
    /// Whether a response succeeded: <c>IsValidResponse</c> (server error parsed, the response's own checks such as bulk
    /// <c>errors</c>) and a 2xx status (the client counts a 404 without a body as valid).
    /// </summary>
    public static bool Ok(ElasticsearchResponse response) => response.IsValidResponse && response.ApiCallDetails is { HasSuccessfulStatusCode: true };

    /// <summary>HTTP status of a response; null when no response arrived (connection refused, timeout).</summary>
    public static int? Status(ElasticsearchResponse response) => response.ApiCallDetails?.HttpStatusCode;

    /// <summary>The error <c>type</c> the server reported (e.g. <c>resource_already_exists_exception</c>), if any.</summary>
    public static string? ErrorType(ElasticsearchResponse response) => response.ElasticsearchServerError?.Error?.Type;

    /// <summary>
    /// Whether the server refused a query for having more clauses than its limit: Lucene's <c>TooManyClauses</c> /
    /// <c>TooManyNestedClauses</c>, which Elasticsearch reports as <c>too_many_clauses</c> / <c>too_many_nested_clauses</c>
    /// (HTTP 400), at the top, as a root cause or as a cause of a <c>search_phase_execution_exception</c>.
    /// </summary>
    public static bool IsTooManyClauses(ElasticsearchResponse response)
    {
        if (Status(response) != 400 || response.ElasticsearchServerError?.Error is not { } error)
        {
            return false;
        }

        static bool Match(string? type) => type is "too_many_clauses" or "too_many_nested_clauses";
        if (Match(error.Type) || (error.RootCause ?? []).Any(r => Match(r.Type)))
        {
            return true;
        }

        for (var cause = error.CausedBy; cause is not null; cause = cause.CausedBy)
        {
            if (Match(cause.Type))
            {
                return true;
            }
        }

        return false;
    }

    public static ArchiveSearchException From(ElasticsearchResponse response, string index, string operation)
    {
        var message = Describe(response);
        Exception inner = response.TryGetOriginalException(out var original) && original is not null
            ? original
            : new TransportException(PipelineFailure.BadResponse, message, response);
        return new ArchiveSearchException(System, index, operation, message, inner);
    }

    public static ArchiveSearchException From(Exception exception, string index, string operation)
        => new(System, index, operation, exception switch
        {
            TransportException { ApiCallDetails: { } details } => Describe(details, null, exception),
            UnsupportedProductException => exception.Message,
            _ => "no response from the cluster: " + exception.Message,
        }, exception);

    public static string Describe(ElasticsearchResponse response)
    {
        response.TryGetOriginalException(out var original);
        return Describe(response.ApiCallDetails, response.ElasticsearchServerError?.Error, original);
    }

    private static string Describe(ApiCallDetails? details, Error? error, Exception? original)
    {
        var sb = new StringBuilder();
        if (details?.HttpStatusCode is { } status)
        {
            sb.Append("HTTP ").Append(status);
        }
        else
        {
            sb.Append("no response from the cluster");
        }

        if (error is not null && (error.Type is not null || error.Reason is not null))
        {
            sb.Append(' ').Append(error.Type).Append(": ").Append(error.Reason);
            if (error.Index is { } index)
            {
                sb.Append(" [index ").Append(index).Append(']');
            }

            foreach (var root in error.RootCause ?? [])
            {
                if (root.Type != error.Type || root.Reason != error.Reason)
                {
                    sb.Append("; root cause ").Append(root.Type).Append(": ").Append(root.Reason);
                }
            }

            for (var cause = error.CausedBy; cause is not null; cause = cause.CausedBy)
            {
                sb.Append("; caused by ").Append(cause.Type).Append(": ").Append(cause.Reason);
            }
        }
        else if (original is not null)
        {
            sb.Append(": ").Append(original.Message);
        }

        return sb.ToString();
    }
}
