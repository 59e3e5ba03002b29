using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Disposition;
using Archive.Audit;
using Archive.Hosting;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>Destruction of record files under an approved decision (Circular 06/2025): propose, approve, execute, record, papers; the register of decisions.</summary>
internal static class DispositionEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        const string ListedReadable = "Only for a caller of the decision's agency who may read every file it lists: otherwise 403 clearance.disposition, "
            + "naming no file (a decision listing Secret files is for users cleared for them).";
        var group = routes.MapGroup("/dispositions").WithTags("Disposition").RequireAuthorization(ArchivePolicies.Dispose);
        group.MapGet("/", List).WithName("ListDispositions")
            .WithSummary("The register of destruction decisions of the agencies the caller acts for, filtered by status and agency, in pages")
            .WithDescription("status = Proposed, Approved, Executing or Executed; agencyId = only that agency's decisions (none outside the caller's scope); "
                + "pageSize (default 100) and after = nextAfter of the previous page. Lists decisions, not the record files they name.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{decisionId}/papers/{paper}", Paper).WithName("GetDispositionPaper")
            .WithSummary("A destruction paper of Circular 06/2025 as DOCX: list (danh mục tài liệu hết thời hạn lưu trữ), note (bản thuyết minh) or record (biên bản hủy tài liệu, once executed)")
            .WithDescription("paper = list, note or record. Read from storage (destroyed files from their tombstones). A decision that lists a record file the caller "
                + "may not read (Secret without clearance) answers 403 clearance.disposition; the record of a decision not executed answers 409 "
                + "disposition.not-executed. The number of files printed is in the header Archive-Disposition-Files.")
            .Produces<Stream>(StatusCodes.Status200OK, DispositionPaperService.DocxMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/", Create).WithName("ProposeDisposition").WithETag()
            .WithSummary("Proposes a destruction decision: list of files, explanatory note, council minutes, decision number and date")
            .WithDescription("Every listed code must name a record file the caller may read: one it may not (Secret without clearance) is refused "
                + "exactly as a code of no file (422, fileCodes[i], record-file.not-found).")
            .AcceptsJson<CreateDispositionRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{decisionId}", Get).WithName("GetDisposition").WithETag()
            .WithSummary("A destruction decision with its per-file results")
            .WithDescription(ListedReadable)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{decisionId}/approve", Approve).WithName("ApproveDisposition").WithETag()
            .WithSummary("Approves a proposed decision (the approver must not be the proposer)")
            .WithDescription(ListedReadable)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{decisionId}/execute", Execute).WithName("ExecuteDisposition").WithETag()
            .WithSummary("Destroys the eligible files of an approved decision; files under legal hold, not yet expired, permanent or accessioned are refused with the rule")
            .WithDescription(ListedReadable)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{decisionId}/record", DestructionRecord).WithName("GetDestructionRecord")
            .WithSummary("Destruction record data (biên bản hủy tài liệu): the decision, results and tombstones")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<DispositionPageDto>> List(
        HttpContext http,
        DispositionService service,
        [FromQuery] string? status,
        [FromQuery] string? agencyId,
        [FromQuery] int? pageSize,
        [FromQuery] string? after,
        CancellationToken cancellationToken)
    {
        var size = RequestContext.ListPageSize(http, pageSize);

        var wanted = RequestContext.StatusFilter<DispositionStatus>(status, "disposition.status", "status is Proposed, Approved, Executing or Executed.");

        var items = new List<DispositionSummaryDto>();
        string? next = null;
        var query = new DispositionQuery { Status = wanted, AgencyId = agencyId, After = string.IsNullOrEmpty(after) ? null : after };
        await foreach (var decision in service.ListAsync(query, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false))
        {
            if (items.Count == size)
            {
                next = items[^1].Id;
                break;
            }

            items.Add(DispositionSummaryDto.From(decision));
        }

        return TypedResults.Ok(new DispositionPageDto { Items = items, NextAfter = next });
    }

    private static async Task<IResult> Paper(string decisionId, string paper, HttpContext http, DispositionPaperService papers, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
    {
        var which = paper.ToLowerInvariant() switch
        {
            "list" => DispositionPaper.List,
            "note" => DispositionPaper.Note,
            "record" => DispositionPaper.Record,
            _ => throw ApiRequestException.BadRequest("paper", "disposition.paper", "paper is list, note or record."),
        };

        return await SpooledDownload.AnswerAsync(archiveOptions.Value, "disposition-paper", async file =>
        {
            var result = await papers.WriteAsync(decisionId, which, HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "disposition-decision", decisionId, $"paper {which}: {result.Files} files", cancellationToken).ConfigureAwait(false);
            http.Response.Headers["Archive-Disposition-Files"] = result.Files.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (result.MediaType, result.FileName);
        }).ConfigureAwait(false);
    }

    private static async Task<Created<DispositionDto>> Create(HttpContext http, DispositionService service, DispositionPaperService papers, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateDispositionRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(body.AgencyId))
        {
            await ArchiveScope.RequireAgencyAsync(http, body.AgencyId.Trim(), "disposition-decision", cancellationToken).ConfigureAwait(false);
        }

        var input = body.ToInput();
        await papers.RequireProposableAsync(input, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        var stored = await service.ProposeAsync(input, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Created(Links.Child(http, stored.Value.Id), DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Get(string decisionId, HttpContext http, DispositionService service, DispositionPaperService papers, CancellationToken cancellationToken)
    {
        var stored = await RequireListedReadableAsync(http, service, papers, decisionId, cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Approve(string decisionId, HttpContext http, DispositionService service, DispositionPaperService papers, CancellationToken cancellationToken)
    {
        await RequireListedReadableAsync(http, service, papers, decisionId, cancellationToken).ConfigureAwait(false);
        var stored = await service.ApproveAsync(decisionId, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Execute(string decisionId, HttpContext http, DispositionService service, DispositionPaperService papers, CancellationToken cancellationToken)
    {
        await RequireListedReadableAsync(http, service, papers, decisionId, cancellationToken).ConfigureAwait(false);
        var stored = await service.ExecuteAsync(decisionId, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DestructionRecordDto>> DestructionRecord(string decisionId, HttpContext http, DispositionService service, DispositionPaperService papers, CancellationToken cancellationToken)
    {
        // The tombstones carry titles: only for a caller who may read every listed file, as the papers (clearance.disposition).
        var stored = await RequireListedReadableAsync(http, service, papers, decisionId, cancellationToken).ConfigureAwait(false);
        var record = await service.GetDestructionRecordAsync(decisionId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        return TypedResults.Ok(DestructionRecordDto.From(stored, record));
    }

    /// <summary>
    /// The decision, for a caller of its agency who may read every file it lists (the engine decides: 403
    /// clearance.disposition otherwise): its codes, and what approving or executing it destroys, are not for a caller
    /// who may not see those files.
    /// </summary>
    private static async Task<Versioned<DispositionDecision>> RequireListedReadableAsync(HttpContext http, DispositionService service, DispositionPaperService papers, string decisionId, CancellationToken cancellationToken)
    {
        var stored = await RequireAsync(http, service, decisionId, cancellationToken).ConfigureAwait(false);
        await papers.RequireListedReadableAsync(decisionId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private static async Task<Versioned<DispositionDecision>> RequireAsync(HttpContext http, DispositionService service, string decisionId, CancellationToken cancellationToken)
    {
        var stored = await service.GetAsync(decisionId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        await ArchiveScope.RequireAgencyAsync(http, stored.Value.AgencyId, "disposition-decision", cancellationToken).ConfigureAwait(false);
        return stored;
    }
}
