using Archive.Access;
using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Researchers' access requests for conditional records (yêu cầu khai thác; issue #19 item 3): HTTP onto <see cref="AccessRequestService"/>.</summary>
internal static class AccessRequestEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        const string Decide = "Only an archivist or the agency head of the agency holding the record file's fonds (or an administrator) decides "
            + "(403 fondsCode scope.agency, role access-request.archivist-only); a request out of the caller's scope answers 404; a request is decided once "
            + "(409 access-request.not-pending). If-Match optional. Every decision is a new version, audited.";
        var group = routes.MapGroup("/access-requests").WithTags("Access requests");
        group.MapGet("/catalogue", Catalogue).WithName("SearchConditionalCatalogue").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Conditional record files a researcher may ask to read (sử dụng có điều kiện): code, title, fonds, start date — no text, no content")
            .WithDescription("q matches the record file's own catalogue entry (title, code, description, keywords), never its documents' text; no snippets. "
                + "Secret record files never appear. Each item carries the caller's own request (myRequest). pageSize 1..1000 (default 20), cursor from nextCursor.");
        group.MapPost("/", Create).WithName("CreateAccessRequest").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("A researcher asks to read a conditional record file, with a purpose (mục đích khai thác)")
            .WithDescription("Researchers only (403 role access-request.researcher-only). purpose required, at most Archive:AccessRequests:MaxTextLength characters (422). "
                + "A secret, unknown, not accessioned or weeded-out record file answers 404 exactly as an unknown one; a public one 422 fileCode access-request.not-conditional; "
                + "a request already waiting or a valid grant 409 (access-request.pending, access-request.granted). Nothing is stored on a refusal.")
            .AcceptsJson<CreateAccessRequestRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/mine", Mine).WithName("ListMyAccessRequests").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The caller's own access requests and their status (chờ duyệt / đã duyệt đến ngày … / từ chối (lý do))")
            .WithDescription("status = Pending, Approved, Refused, Revoked or Expired; pageSize (default 100) and after = nextAfter of the previous page.");
        group.MapGet("/", List).WithName("ListAccessRequests").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Access requests for record files the caller's archives holds (all for administrators), e.g. status=Pending")
            .WithDescription("status = Pending, Approved, Refused, Revoked or Expired; agencyId, fileCode; pageSize (default 100) and after = nextAfter of the previous page.");
        group.MapGet("/{requestId}", Get).WithName("GetAccessRequest").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("An access request: its researcher's own, or one for a record file the caller's archives holds (otherwise 404)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{requestId}/approve", Approve).WithName("ApproveAccessRequest").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Approves a waiting request: a grant for its researcher and record file for validDays days")
            .WithDescription("validDays 1..Archive:AccessRequests:MaxValidDays (422 validDays access-request.validity); default Archive:AccessRequests:DefaultValidDays. " + Decide)
            .AcceptsJson<ApproveAccessRequestRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{requestId}/refuse", Refuse).WithName("RefuseAccessRequest").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Refuses a waiting request with a reason (lý do từ chối)")
            .WithDescription("reason required (422). " + Decide)
            .AcceptsJson<AccessRequestReasonRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{requestId}/revoke", Revoke).WithName("RevokeAccessRequest").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Revokes a valid grant with a reason: reads under it stop at once")
            .WithDescription("reason required (422); only a valid grant (409 access-request.not-granted). Same scope as approve.")
            .AcceptsJson<AccessRequestReasonRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    private static async Task<Ok<ConditionalCataloguePageDto>> Catalogue(HttpContext http, AccessRequestService requests, [FromQuery] string? q, [FromQuery] int? pageSize, [FromQuery] string? cursor, CancellationToken cancellationToken)
    {
        var size = pageSize ?? 20;
        if (size is < 1 or > Archive.Search.SearchRequest.MaxPageSize)
        {
            throw ApiRequestException.BadRequest("pageSize", "page-size.range", $"pageSize must be between 1 and {Archive.Search.SearchRequest.MaxPageSize}.");
        }

        var now = Now(http);
        var results = await requests.SearchCatalogueAsync(q, size, cursor, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ConditionalCataloguePageDto
        {
            Total = results.Total,
            NextCursor = results.NextCursor,
            Items = [.. results.Items.Select(i => new ConditionalCatalogueEntryDto
            {
                FileCode = i.FileCode,
                Title = i.Title,
                FondsCode = i.FondsCode,
                StartDate = i.StartDate,
                MyRequest = i.MyRequest is null ? null : AccessRequestDto.From(i.MyRequest, now),
            })],
        });
    }

    private static async Task<Created<AccessRequestDto>> Create(HttpContext http, AccessRequestService requests, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateAccessRequestRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await requests.RequestAsync(body.FileCode ?? string.Empty, body.Purpose, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Created(Links.Child(http, stored.Value.Id), AccessRequestDto.From(stored, Now(http)));
    }

    private static Task<Ok<AccessRequestPageDto>> Mine(HttpContext http, AccessRequestService requests, [FromQuery] string? status, [FromQuery] int? pageSize, [FromQuery] string? after, CancellationToken cancellationToken)
        => PageAsync(http, requests, new AccessRequestQuery { Mine = true, Status = Status(status), After = Empty(after) }, pageSize, cancellationToken);

    private static Task<Ok<AccessRequestPageDto>> List(HttpContext http, AccessRequestService requests, [FromQuery] string? status, [FromQuery] string? agencyId, [FromQuery] string? fileCode, [FromQuery] int? pageSize, [FromQuery] string? after, CancellationToken cancellationToken)
        => PageAsync(http, requests, new AccessRequestQuery { Status = Status(status), AgencyId = agencyId, FileCode = fileCode, After = Empty(after) }, pageSize, cancellationToken);

    private static async Task<Ok<AccessRequestDto>> Get(string requestId, HttpContext http, AccessRequestService requests, CancellationToken cancellationToken)
    {
        var stored = await requests.GetAsync(requestId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("access-request", requestId);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(AccessRequestDto.From(stored, Now(http)));
    }

    private static async Task<Ok<AccessRequestDto>> Approve(string requestId, HttpContext http, AccessRequestService requests, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<ApproveAccessRequestRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await requests.ApproveAsync(requestId, body.ValidDays, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(AccessRequestDto.From(stored, Now(http)));
    }

    private static async Task<Ok<AccessRequestDto>> Refuse(string requestId, HttpContext http, AccessRequestService requests, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<AccessRequestReasonRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await requests.RefuseAsync(requestId, body.Reason, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(AccessRequestDto.From(stored, Now(http)));
    }

    private static async Task<Ok<AccessRequestDto>> Revoke(string requestId, HttpContext http, AccessRequestService requests, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<AccessRequestReasonRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await requests.RevokeAsync(requestId, body.Reason, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(AccessRequestDto.From(stored, Now(http)));
    }

    private static async Task<Ok<AccessRequestPageDto>> PageAsync(HttpContext http, AccessRequestService requests, AccessRequestQuery query, int? pageSize, CancellationToken cancellationToken)
    {
        var size = RequestContext.ListPageSize(http, pageSize);
        var now = Now(http);
        var items = new List<AccessRequestDto>();
        string? next = null;
        await foreach (var request in requests.ListAsync(query, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false))
        {
            if (items.Count == size)
            {
                next = items[^1].Id;
                break;
            }

            items.Add(AccessRequestDto.From(request, now));
        }

        return TypedResults.Ok(new AccessRequestPageDto { Items = items, NextAfter = next });
    }

    private static AccessRequestStatus? Status(string? status)
        => RequestContext.StatusFilter<AccessRequestStatus>(status, "enum", "status is Pending, Approved, Refused, Revoked or Expired.");

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset Now(HttpContext http)
        => ((TimeProvider?)http.RequestServices.GetService(typeof(TimeProvider)) ?? TimeProvider.System).GetUtcNow();
}
