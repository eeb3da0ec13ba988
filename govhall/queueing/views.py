"""The queue's pages: the kiosk (取号, no login), the ticket, the clerk's calling page (叫号) and the call screen.

The kiosk is public and guarded by the per-address ticket throttle (core.throttle.ticket_taken); the calling page
needs a window clerk at a window; the screens show numbers and counts only, never a name."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govhall.cases.models import Case
from govhall.catalog.models import ServiceItem
from govhall.catalog.queries import published_items
from govhall.catalog.search import search_items
from govhall.core import throttle
from govhall.core.auth import signed_in
from govhall.org.access import role_required
from govhall.org.choices import Role
from govhall.org.models import Hall, Window

from . import actions, queries
from .choices import TicketChannel, TicketStatus
from .models import Queue, Ticket

SCREEN_REFRESH_SECONDS = 5
KIOSK_RETURN_SECONDS = 20


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


clerk_view = role_required(Role.WINDOW_CLERK, forbidden=forbidden, login_url="/accounts/login/")


def _hall(request: HttpRequest) -> Hall:
    raw = request.GET.get("hall") or request.POST.get("hall")
    if raw:
        if not str(raw).isdigit():
            raise Http404("大厅不存在")
        return get_object_or_404(Hall, pk=int(raw))
    hall = queries.default_hall()
    if hall is None:
        raise Http404("尚未配置排队队列")
    return hall


def _error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


# --------------------------------------------------------------------------- kiosk


def take(request: HttpRequest) -> HttpResponse:
    """The self-service kiosk: choose a business (queue) or find an item, get a ticket."""
    hall = _hall(request)
    context: dict[str, Any] = {
        "hall": hall,
        "halls": Hall.objects.filter(queues__active=True).distinct().order_by("site_id", "pk"),
        "lines": queries.queue_lines(hall),
    }
    if request.method != "POST":
        return render(request, "queueing/kiosk.html", context)
    queue: Queue | None = None
    item: ServiceItem | None = None
    raw_queue, raw_item = request.POST.get("queue", ""), request.POST.get("item", "")
    if raw_queue.isdigit():
        queue = Queue.objects.filter(pk=int(raw_queue), hall=hall).first()
    if raw_item.isdigit():
        item = published_items().filter(pk=int(raw_item)).first()
    if queue is None and item is None:
        context["error"] = "请选择要办理的业务或事项"
        return render(request, "queueing/kiosk.html", context, status=400)
    try:
        throttle.ticket_taken(request)
        ticket = actions.take_ticket(queue=queue, item=item, hall=hall, channel=TicketChannel.KIOSK)
    except throttle.Throttled as exc:
        context["error"] = exc.message
        response = render(request, "queueing/kiosk.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationError as exc:
        context["error"] = _error_text(exc)
        return render(request, "queueing/kiosk.html", context, status=400)
    return redirect(reverse("queueing:ticket", args=[ticket.code]) + "?kiosk=1")


def item_search(request: HttpRequest) -> HttpResponse:
    """HTMX: items matching the kiosk's search box, each a button taking a ticket in its queue."""
    hall = _hall(request)
    query = (request.GET.get("q") or "").strip()[:50]
    found: list[tuple[ServiceItem, Queue | None]] = []
    if query:
        for item in search_items(published_items(), query)[:8]:
            found.append((item, queries.queue_for_item(hall, item)))
    return render(request, "queueing/_items.html", {"hall": hall, "query": query, "found": found})


def ticket_page(request: HttpRequest, code: str) -> HttpResponse:
    """The ticket as printed or shown: number, how many are ahead now, the estimate; refreshes itself."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("queue", "queue__hall", "item", "window"), code=code
    )
    ahead = queries.ahead_of(ticket)
    context = {
        "ticket": ticket,
        "ahead": ahead,
        "estimate": queries.estimate_minutes(ticket.queue, ahead),
        "kiosk": request.GET.get("kiosk") == "1",
        "return_seconds": KIOSK_RETURN_SECONDS,
    }
    template = "queueing/_ticket_status.html" if request.headers.get("HX-Request") else "queueing/ticket.html"
    return render(request, template, context)


# --------------------------------------------------------------------------- the window clerk


def _call_context(request: HttpRequest, window: Window) -> dict[str, Any]:
    user = signed_in(request)
    current = queries.at_window(window)
    waiting = list(queries.waiting_for_window(window).select_related("queue", "item", "target_window")[:30])
    return {
        "window": window,
        "current": current,
        "current_ahead": None,
        "waiting": waiting,
        "waiting_count": queries.waiting_for_window(window).count(),
        "recent": list(
            Ticket.objects.filter(window=window, day=queries.today())
            .exclude(status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
            .select_related("case")
            .order_by("-last_called_at")[:10]
        ),
        "served_by_me": actions.serving_ticket(user),
        "other_windows": Window.objects.filter(hall=window.hall, active=True).exclude(pk=window.pk),
        "queues": Queue.objects.filter(hall=window.hall, active=True),
    }


@clerk_view
def call(request: HttpRequest) -> HttpResponse:
    window = actions.clerk_window(request.user)
    return render(request, "queueing/call.html", _call_context(request, window))


def _ticket_from_post(request: HttpRequest) -> Ticket:
    raw = request.POST.get("ticket", "")
    if not raw.isdigit():
        raise ValidationError({"ticket": "请选择排队号"})
    ticket = Ticket.objects.filter(pk=int(raw)).first()
    if ticket is None:
        raise ValidationError({"ticket": "排队号不存在"})
    return ticket


def _window_from_post(request: HttpRequest) -> Window:
    raw = request.POST.get("window", "")
    window = Window.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if window is None:
        raise ValidationError({"window": "请选择要转至的窗口"})
    return window


@require_POST
@clerk_view
def call_action(request: HttpRequest, action: str) -> HttpResponse:
    user = signed_in(request)
    try:
        if action == "next":
            ticket = actions.call_next(by=user)
            if ticket is None:
                messages.info(request, "当前没有等候的号。")
            else:
                messages.success(request, f"已叫号：{ticket.number}")
        elif action == "call":
            ticket = actions.call_ticket(_ticket_from_post(request), by=user)
            messages.success(request, f"已叫号：{ticket.number}")
        elif action == "recall":
            ticket = actions.recall(_ticket_from_post(request), by=user)
            messages.success(request, f"已重呼：{ticket.number}")
        elif action == "serve":
            ticket = actions.start_serving(_ticket_from_post(request), by=user)
            messages.success(request, f"{ticket.number} 号开始办理。")
        elif action == "finish":
            ticket = actions.finish(_ticket_from_post(request), by=user)
            messages.success(request, f"{ticket.number} 号办理结束。")
        elif action == "no-show":
            ticket = actions.no_show(_ticket_from_post(request), by=user)
            messages.success(request, f"{ticket.number} 号已过号。")
        elif action == "transfer":
            to = _window_from_post(request)
            ticket = actions.transfer(
                _ticket_from_post(request), to=to, by=user, note=request.POST.get("note", "")[:100]
            )
            messages.success(request, f"{ticket.number} 号已转至 {to.number} 号窗口。")
        elif action == "take":
            raw = request.POST.get("queue", "")
            queue = Queue.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            if queue is None:
                raise ValidationError({"queue": "请选择队列"})
            ticket = actions.take_ticket(queue=queue, channel=TicketChannel.WINDOW, by=user)
            messages.success(request, f"已代取号：{ticket.number}（前面 {ticket.ahead_at_take} 人）")
        elif action == "link":
            number = request.POST.get("case_number", "").strip()
            case = Case.objects.filter(number=number).first() if number else None
            if case is None:
                raise ValidationError(
                    {"case_number": f"办件编号“{number}”不存在" if number else "请填写办件编号"}
                )
            ticket = actions.link_case(_ticket_from_post(request), case, by=user)
            messages.success(request, f"{ticket.number} 号已关联办件 {case.number}。")
        else:
            raise Http404("没有这个操作")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        return forbidden(request, str(exc) or "您无权进行此操作。")
    return redirect("queueing:call")


# --------------------------------------------------------------------------- screens


def screen(request: HttpRequest) -> HttpResponse:
    """The hall's call screen (叫号屏): refreshes its board by HTMX every few seconds."""
    hall = _hall(request)
    return render(
        request,
        "queueing/screen.html",
        {"hall": hall, "refresh_seconds": SCREEN_REFRESH_SECONDS, **_board(hall)},
    )


def _board(hall: Hall) -> dict[str, Any]:
    calls = queries.recent_calls(hall)
    return {
        "hall": hall,
        "latest": calls[0] if calls else None,
        "calls": calls,
        "windows": [line for line in queries.window_lines(hall) if line.current is not None],
        "lines": queries.queue_lines(hall),
    }


def screen_board(request: HttpRequest) -> HttpResponse:
    return render(request, "queueing/_board.html", _board(_hall(request)))


def waits_panel(request: HttpRequest) -> HttpResponse:
    """HTMX panel for the supervision big screen: waiting counts and times per window of every hall."""
    return render(
        request,
        "queueing/_waits_panel.html",
        {"windows": queries.window_lines(), "lines": queries.queue_lines()},
    )
