using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Records;
using Archive.Reorganisation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Endpoints;

/// <summary>
/// Reorganisation events (sáp nhập, hợp nhất, chia tách, giải thể), the chain of custody, and each event's plan
/// (kế hoạch) with its overlap / omission / overdue / progress report. Requires <c>AddArchive(...).AddReorganisation()</c>.
/// Reading is for agency staff, supervisors and administrators (not researchers); recording and applying events and
/// generating plans is for administrators; a plan's tasks are edited by the affected agency (or its successor).
/// </summary>
internal static class ReorganisationEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var events = routes.MapGroup("/reorganisations").WithTags("Reorganisation");
        events.MapGet("/", List).WithName("ListReorganisations").RequireAuthorization(ArchivePolicies.Read).WithSummary("List reorganisation events");
        events.MapPost("/", Record).WithName("RecordReorganisation").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Record a reorganisation event (merger, consolidation, split, dissolution) with its legal basis and successors")
            .AcceptsJson<RecordReorganisationRequest>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        events.MapGet("/{eventId}", Get).WithName("GetReorganisation").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get a reorganisation event")
            .ProducesProblem(StatusCodes.Status404NotFound);
        events.MapGet("/{eventId}/history", History).WithName("GetReorganisationHistory").RequireAuthorization(ArchivePolicies.Read).WithSummary("Version history of an event")
            .ProducesProblem(StatusCodes.Status404NotFound);
        events.MapPost("/{eventId}/apply", Apply).WithName("ApplyReorganisation").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Apply an event: agencies' status changes, their fonds are closed and custody passes to the successors (idempotent)")
            .AcceptsJson<ApplyReorganisationRequest>(isOptional: true)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        events.MapPost("/{eventId}/plan", GeneratePlan).WithName("GeneratePlan").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Generate the event's plan (kế hoạch) from the guidance: one task of each required kind per affected agency")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        events.MapGet("/{eventId}/plan", GetPlan).WithName("GetPlan").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get the event's plan")
            .ProducesProblem(StatusCodes.Status404NotFound);
        events.MapPost("/{eventId}/plan/tasks", AddTask).WithName("AddPlanTask").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Add a task to the plan (If-Match optional)")
            .AcceptsJson<PlanTaskRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        events.MapPut("/{eventId}/plan/tasks/{taskId}", UpdateTask).WithName("UpdatePlanTask").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Replace a task of the plan (If-Match required)")
            .AcceptsJson<PlanTaskRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        events.MapGet("/{eventId}/plan/report", Report).WithName("GetPlanReport").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Overlaps, omissions, overdue tasks and progress per agency and for the event, as of a date (default today)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        routes.MapGet("/custody/{agencyIdOrFondsCode}", Custody).WithTags("Reorganisation").WithName("GetCustody").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Which agency holds the records of an agency or fonds on a date (default today), with the chain of custody")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<List<ReorganisationEventDto>>> List(HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "reorganisation", null, cancellationToken).ConfigureAwait(false);
        var all = await events.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(all.Select(mapper.Map<ReorganisationEventDto>).ToList());
    }

    private static async Task<Created<ReorganisationEventDto>> Record(HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RecordReorganisationRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequireAdministratorAsync(http, "reorganisation", body.Id, cancellationToken).ConfigureAwait(false);
        var stored = await events.RecordAsync(mapper.Map<ReorganisationEventInput>(body), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Created(Links.Child(http, stored.Value.Id), mapper.Map<ReorganisationEventDto>(stored));
    }

    private static async Task<Ok<ReorganisationEventDto>> Get(string eventId, HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "reorganisation", eventId, cancellationToken).ConfigureAwait(false);
        var stored = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation event", eventId);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(mapper.Map<ReorganisationEventDto>(stored));
    }

    private static async Task<Ok<List<VersionInfoDto>>> History(string eventId, HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "reorganisation", eventId, cancellationToken).ConfigureAwait(false);
        _ = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation event", eventId);
        var history = await events.GetHistoryAsync(eventId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(history.Select(mapper.Map<VersionInfoDto>).ToList());
    }

    private static async Task<Ok<ApplyReorganisationResponse>> Apply(string eventId, HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = HasBody(http.Request)
            ? await JsonBody.ReadAsync<ApplyReorganisationRequest>(http.Request, cancellationToken).ConfigureAwait(false)
            : new ApplyReorganisationRequest();
        await ArchiveScope.RequireAdministratorAsync(http, "reorganisation", eventId, cancellationToken).ConfigureAwait(false);
        var asOf = body.AsOf ?? Today(http);
        var result = await events.ApplyAsync(eventId, asOf, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        var stored = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation event", eventId);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(new ApplyReorganisationResponse { Event = mapper.Map<ReorganisationEventDto>(stored), AlreadyApplied = result.AlreadyApplied });
    }

    private static async Task<Created<PlanDto>> GeneratePlan(string eventId, HttpContext http, ReorganisationPlanService plans, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireAdministratorAsync(http, "plan", eventId, cancellationToken).ConfigureAwait(false);
        var plan = await plans.GenerateAsync(eventId, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, plan.Version);
        return TypedResults.Created((http.Request.PathBase + http.Request.Path).Value ?? string.Empty, mapper.Map<PlanDto>(plan));
    }

    private static async Task<Ok<PlanDto>> GetPlan(string eventId, HttpContext http, ReorganisationPlanService plans, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "plan", eventId, cancellationToken).ConfigureAwait(false);
        var plan = await plans.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("plan", eventId);
        ETags.SetVersion(http.Response, plan.Version);
        return TypedResults.Ok(mapper.Map<PlanDto>(plan));
    }

    private static async Task<Ok<PlanDto>> AddTask(string eventId, HttpContext http, ReorganisationPlanService plans, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<PlanTaskRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequirePlanTaskAgencyAsync(http, events, eventId, body.AgencyId, cancellationToken).ConfigureAwait(false);
        var plan = await plans.AddTaskAsync(eventId, mapper.Map<PlanTaskInput>(body), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, plan.Version);
        return TypedResults.Ok(mapper.Map<PlanDto>(plan));
    }

    private static async Task<Ok<PlanDto>> UpdateTask(string eventId, string taskId, HttpContext http, ReorganisationPlanService plans, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: true);
        var body = await JsonBody.ReadAsync<PlanTaskRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var current = await plans.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("plan", eventId);
        var task = current.Value.Tasks.FirstOrDefault(t => t.Id == taskId) ?? throw new ArchiveNotFoundException("plan task", eventId + "/" + taskId);

        // Both the task's current scope and the new one must be the caller's.
        await ArchiveScope.RequirePlanTaskAgencyAsync(http, events, eventId, task.AgencyId, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequirePlanTaskAgencyAsync(http, events, eventId, body.AgencyId, cancellationToken).ConfigureAwait(false);
        var plan = await plans.UpdateTaskAsync(eventId, taskId, mapper.Map<PlanTaskInput>(body), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, plan.Version);
        return TypedResults.Ok(mapper.Map<PlanDto>(plan));
    }

    private static async Task<Ok<PlanReportDto>> Report(string eventId, DateOnly? asOf, HttpContext http, ReorganisationPlanService plans, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "plan", eventId, cancellationToken).ConfigureAwait(false);
        var report = await plans.ReportAsync(eventId, asOf ?? Today(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<PlanReportDto>(report));
    }

    private static async Task<Ok<CustodyDto>> Custody(string agencyIdOrFondsCode, DateOnly? asOf, HttpContext http, ReorganisationService events, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await ArchiveScope.RequireStaffAsync(http, "custody", agencyIdOrFondsCode, cancellationToken).ConfigureAwait(false);
        var answer = await events.WhoHoldsAsync(agencyIdOrFondsCode, asOf ?? Today(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<CustodyDto>(answer));
    }

    private static bool HasBody(HttpRequest request)
        => !(request.ContentLength is 0 || (request.ContentLength is null && string.IsNullOrEmpty(request.ContentType)));

    /// <summary>Today in Vietnam (UTC+07:00), from the host's <see cref="TimeProvider"/> when it registers one.</summary>
    private static DateOnly Today(HttpContext http)
        => DateOnly.FromDateTime((http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().ToOffset(TimeSpan.FromHours(7)).DateTime);
}
