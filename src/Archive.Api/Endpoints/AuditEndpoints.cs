using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Security;
using Archive.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>The audit trail, for auditors only: query, verify the hash chain, write a checkpoint.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/audit").WithTags("Audit").RequireAuthorization(ArchivePolicies.Audit);
        audit.MapGet("/records", Query).WithName("QueryAuditRecords")
            .WithSummary("Audit records filtered by time range, actor (name or principal id), action, object and outcome, paged by sequence (order=newest|oldest)")
            .WithDescription("For an auditor without secret clearance, records about Secret record files (and searches by cleared users) are redacted: objectId and detail left out, redacted = true.");
        audit.MapPost("/verify", Verify).WithName("VerifyAuditTrail")
            .WithSummary("Walks the whole hash chain and every checkpoint; reports edited, removed, reordered or truncated records and bad signatures");
        audit.MapPost("/checkpoints", Checkpoint).WithName("WriteAuditCheckpoint")
            .WithSummary("Writes a checkpoint (signed when a certificate is configured) at the current end of the trail");
    }

    private static async Task<Ok<AuditPageDto>> Query(
        HttpContext http,
        IAuditLog log,
        DateTimeOffset? from,
        DateTimeOffset? to,
        string? actor,
        string? actorId,
        string? action,
        string? objectType,
        string? objectId,
        string? outcome,
        string? order,
        long? cursor,
        int? pageSize,
        CancellationToken cancellationToken)
    {
        AuditOutcome? parsedOutcome = null;
        if (!string.IsNullOrEmpty(outcome))
        {
            parsedOutcome = Enum.TryParse<AuditOutcome>(outcome, ignoreCase: true, out var o) && Enum.IsDefined(o)
                ? o
                : throw new ApiRequestException(StatusCodes.Status400BadRequest, "outcome", "enum", "outcome must be one of Success, Failure, Denied.");
        }

        var newest = order is null || string.Equals(order, "newest", StringComparison.OrdinalIgnoreCase)
            ? true
            : string.Equals(order, "oldest", StringComparison.OrdinalIgnoreCase)
                ? false
                : throw new ApiRequestException(StatusCodes.Status400BadRequest, "order", "enum", "order must be one of newest, oldest.");
        var page = await ArchiveScope.QueryAuditAsync(http, log, new AuditQuery
        {
            From = from,
            To = to,
            Actor = Empty(actor),
            ActorId = Empty(actorId),
            Action = Empty(action),
            ObjectType = Empty(objectType),
            ObjectId = Empty(objectId),
            Outcome = parsedOutcome,
            NewestFirst = newest,
            Cursor = cursor,
            PageSize = pageSize ?? 100,
        }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AuditPageDto { Items = page.Records.Select(AuditRecordDto.From).ToList(), NextCursor = page.NextCursor, Scanned = page.Scanned });
    }

    private static async Task<Ok<AuditVerificationDto>> Verify(IAuditLog log, CancellationToken cancellationToken)
        => TypedResults.Ok(AuditVerificationDto.From(await log.VerifyAsync(cancellationToken).ConfigureAwait(false)));

    private static async Task<Results<Ok<AuditCheckpointDto>, NoContent>> Checkpoint(IAuditLog log, CancellationToken cancellationToken)
        => await log.CheckpointAsync(cancellationToken).ConfigureAwait(false) is { } c
            ? TypedResults.Ok(AuditCheckpointDto.From(c))
            : TypedResults.NoContent();

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
