"""Build the demo county through the org and catalog actions, idempotently.

Every record is keyed by a natural key (region code, site and department names, window numbers, item
implementation codes, bundle codes, usernames) and created only when missing; a second run creates nothing
and changes nothing. The whole load is one transaction: a failure leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from govhall.catalog import actions as catalog_actions
from govhall.catalog.choices import ItemStatus
from govhall.catalog.codes import make_impl_code
from govhall.catalog.models import Bundle, ServiceItem, Synonym
from govhall.org import actions
from govhall.org.choices import AdminLevel, SiteKind
from govhall.org.models import Department, Hall, Region, Site, StaffProfile, Window
from govhall.org.roles import ensure_role_groups
from govhall.queueing.actions import ensure_hall_queues

from . import county
from . import forms as demo_forms
from .bundles import BUNDLES
from .items import basic_code, item_plans
from .people import ensure_demo_applicant, staff_plans

COMPLAINT_PHONE = "12345"
_ENTERPRISE_SETUP_WINDOW = "A02"
_CONSTRUCTION_WINDOW = "B23"


def _is_enterprise_registration(name: str) -> bool:
    """Market-entity registrations are taken at the center's 企业开办 windows, not the department's own."""
    if "营业执照" in name or "企业备案" in name:
        return True
    return name.endswith("登记") and not any(w in name for w in ("特种设备", "股权", "小作坊"))


def _township_site_name(town: str) -> str:
    return f"{town}便民服务中心"


def _village_site_name(village: county.Village) -> str:
    return f"{village.township}{village.name}代办点"


class _Loader:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.regions: dict[str, Region] = {}
        self.sites: dict[str, Site] = {}
        self.halls: dict[str, Hall] = {}
        self.depts: dict[str, Department] = {}
        self.windows: dict[str, Window] = {}
        self.admin: Any = None

    # --- places -------------------------------------------------------------------------------------

    def load_regions(self) -> None:
        villages = county.villages()
        wanted = [county.CITY[0], county.COUNTY[0]]
        wanted += [county.COUNTY[0][:6] + digits + "000" for digits, _ in county.TOWNSHIPS]
        wanted += [v.code for v in villages]
        self.regions = Region.objects.in_bulk(wanted, field_name="code")

        def ensure(code: str, name: str, level: str, parent: Region | None) -> Region:
            if code not in self.regions:
                self.regions[code] = actions.create_region(code=code, name=name, level=level, parent=parent)
                self.created["region"] += 1
            return self.regions[code]

        city = ensure(*county.CITY, AdminLevel.CITY, None)
        rong = ensure(*county.COUNTY, AdminLevel.COUNTY, city)
        towns = {
            name: ensure(county.COUNTY[0][:6] + digits + "000", name, AdminLevel.TOWNSHIP, rong)
            for digits, name in county.TOWNSHIPS
        }
        for village in villages:
            ensure(village.code, village.name, AdminLevel.VILLAGE, towns[village.township])

    def load_sites(self) -> None:
        villages = county.villages()
        names = [county.CENTER_NAME] + [_township_site_name(t) for _, t in county.TOWNSHIPS]
        names += [_village_site_name(v) for v in villages]
        self.sites = Site.objects.in_bulk(names, field_name="name")

        def ensure(name: str, **kwargs: Any) -> Site:
            if name not in self.sites:
                self.sites[name] = actions.create_site(name=name, **kwargs)
                self.created["site"] += 1
            return self.sites[name]

        center = ensure(
            county.CENTER_NAME,
            kind=SiteKind.CENTER,
            region=self.regions[county.COUNTY[0]],
            address=county.CENTER_ADDRESS,
            phone=f"{county.AREA_CODE}-5312345",
        )
        for i, (digits, town) in enumerate(county.TOWNSHIPS):
            ensure(
                _township_site_name(town),
                kind=SiteKind.TOWNSHIP,
                region=self.regions[county.COUNTY[0][:6] + digits + "000"],
                parent=center,
                address=f"容县{town}人民政府便民服务中心",
                phone=f"{county.AREA_CODE}-54{i + 10:02d}{(i * 37) % 1000:03d}",
            )
        for village in villages:
            ensure(
                _village_site_name(village),
                kind=SiteKind.VILLAGE,
                region=self.regions[village.code],
                parent=self.sites[_township_site_name(village.township)],
                address=f"容县{village.township}{village.name}村（居）民委员会",
            )

    def load_halls(self) -> None:
        sessions = [(dt.time(*start), dt.time(*end)) for start, end in county.SESSIONS]
        center = self.sites[county.CENTER_NAME]
        wanted: list[tuple[Site, str, int]] = [(center, name, floors) for name, _, floors in county.HALLS]
        wanted += [(self.sites[_township_site_name(t)], county.TOWNSHIP_HALL, 1) for _, t in county.TOWNSHIPS]
        existing = {(h.site_id, h.name): h for h in Hall.objects.filter(site__in=[s for s, _, _ in wanted])}
        for site, name, floors in wanted:
            hall = existing.get((site.pk, name))
            if hall is None:
                hall = actions.create_hall(site=site, name=name, floors=floors, sessions=sessions)
                self.created["hall"] += 1
            if site == center:
                self.halls[name] = hall

    # --- departments and windows -------------------------------------------------------------------------

    def load_departments(self) -> None:
        existing = Department.objects.in_bulk([d.name for d in county.DEPARTMENTS], field_name="name")
        for order, dept in enumerate(county.DEPARTMENTS, start=1):
            obj = existing.get(dept.name)
            if obj is None:
                obj = actions.create_department(
                    name=dept.name,
                    short_name=dept.short,
                    uscc=county.dept_uscc(dept),
                    group=dept.group,
                    parent=self.depts[dept.parent] if dept.parent else None,
                    region=self.regions[county.COUNTY[0]],
                    in_hall=dept.in_hall,
                    phone=county.dept_phone(dept),
                    sort_order=order * 10,
                )
                self.created["department"] += 1
            self.depts[dept.key] = obj

    def load_windows(self) -> None:
        existing = {(w.hall_id, w.number): w for w in Window.objects.filter(hall__in=self.halls.values())}
        for plan in county.windows():
            hall = self.halls[plan.hall]
            window = existing.get((hall.pk, plan.number))
            if window is None:
                window = actions.create_window(
                    hall=hall,
                    number=plan.number,
                    name=plan.name,
                    kind=plan.kind,
                    floor=plan.floor,
                    department=self.depts[plan.dept_key],
                )
                self.created["window"] += 1
            acting = county.COMPREHENSIVE_ACTS_FOR.get(plan.number)
            if acting and not window.acts_for.exists():
                # Also on a county seeded before windows acted for departments; a configured set is left alone.
                actions.update_window(window, acts_for=[self.depts[key] for key in acting])
            self.windows[plan.number] = window

    # --- staff -----------------------------------------------------------------------------------------

    def load_staff(self, *, only_fixed: bool) -> None:
        plans = [p for p in staff_plans() if (p.password is not None) == only_fixed]
        existing = set(
            StaffProfile.objects.filter(user__username__in=[p.username for p in plans]).values_list(
                "user__username", flat=True
            )
        )
        taken = set(
            get_user_model()
            .objects.filter(username__in=[p.username for p in plans])
            .values_list("username", flat=True)
        )
        village_sites: dict[str, list[Site]] = {}
        for village in county.villages():
            village_sites.setdefault(village.township, []).append(self.sites[_village_site_name(village)])
        for plan in plans:
            if plan.username in existing or plan.username in taken:
                continue
            sites: list[Site] = []
            for town in plan.sites:
                sites.append(self.sites[_township_site_name(town)])
                sites.extend(village_sites[town])
            if plan.window:
                sites.append(self.sites[county.CENTER_NAME])
            profile = actions.create_staff(
                plan.username,
                plan.name,
                plan.employee_no,
                plan.roles,
                [self.depts[k] for k in plan.depts],
                sites,
                window=self.windows[plan.window] if plan.window else None,
                phone=plan.phone,
                id_number=plan.id_number,
                password=plan.password,
                actor=self.admin,
                title=plan.title,
                superuser=plan.superuser,
            )
            self.created["staff"] += 1
            if plan.username == "admin":
                self.admin = profile.user
        if self.admin is None:
            self.admin = get_user_model().objects.filter(username="admin").first()

    # --- catalog ---------------------------------------------------------------------------------------

    def _window_for(self, dept_key: str, name: str, template: str, main: int) -> Window | None:
        if dept_key == "scj" and _is_enterprise_registration(name):
            return self.windows[_ENTERPRISE_SETUP_WINDOW]
        if template == "joint_review":
            return self.windows[_CONSTRUCTION_WINDOW]
        dept = county.DEPT_BY_KEY[dept_key]
        numbers = list(dept.windows) or (list(county.DEPT_BY_KEY[dept.parent].windows) if dept.parent else [])
        # Leave the center's own service windows to the center's items.
        numbers = [n for n in numbers if n in self.windows]
        if not numbers:
            return None
        return self.windows[numbers[main % len(numbers)]]

    def load_items(self) -> None:
        plans = item_plans()
        codes = {
            make_impl_code(
                self.depts[p.dept].uscc or "", "county", basic_code(p.fields["item_type"], p.main, p.sub)
            )
            for p in plans
        }
        existing = set(ServiceItem.objects.filter(impl_code__in=codes).values_list("impl_code", flat=True))
        for plan in plans:
            dept = self.depts[plan.dept]
            basic = basic_code(plan.fields["item_type"], plan.main, plan.sub)
            impl = make_impl_code(dept.uscc or "", "county", basic)
            if impl in existing:
                continue
            fields = dict(plan.fields)
            window = self._window_for(plan.dept, fields["name"], fields["process_template"], plan.main)
            in_hall = bool(fields["in_hall"] and dept.in_hall and window is not None)
            if in_hall and window is not None:
                place = f"{county.CENTER_NAME}{window.hall.name}{window.floor}楼{window.number}窗口"
            else:
                window = None
                place = f"{dept.name}政务服务窗口（容县容州镇）"
            fields.update(in_hall=in_hall, aliases=demo_forms.ALIASES.get(fields["name"], ""))
            catalog_actions.create_item(
                actor=self.admin,
                materials=plan.materials,
                fees=plan.fees,
                form_fields=demo_forms.form_fields(fields["name"]),
                status=ItemStatus.PUBLISHED,
                note="演示数据",
                basic_code=basic,
                impl_code=impl,
                department=dept,
                window=window,
                handling_place=place,
                consult_phone=dept.phone,
                complaint_phone=COMPLAINT_PHONE,
                joint_departments=[self.depts[key] for key in plan.joint if key != plan.dept],
                **fields,
            )
            self.created["item"] += 1

    def load_joint_departments(self) -> None:
        """Co-departments of joint-review items; set once, so an administrator's later choice is kept."""
        plans = [p for p in item_plans() if p.joint]
        impl_codes = {
            make_impl_code(
                self.depts[p.dept].uscc or "", "county", basic_code(p.fields["item_type"], p.main, p.sub)
            ): p
            for p in plans
        }
        items = ServiceItem.objects.filter(impl_code__in=impl_codes, joint_departments__isnull=True)
        for item in items:
            plan = impl_codes[item.impl_code]
            item.joint_departments.set([self.depts[key] for key in plan.joint if key != plan.dept])

    def load_synonyms(self) -> None:
        """The search synonyms, each added once (an administrator's later change is kept)."""
        existing = set(Synonym.objects.values_list("word", flat=True))
        for word, means in demo_forms.SYNONYMS.items():
            if word not in existing:
                catalog_actions.save_synonym(word=word, means=means, actor=self.admin)

    def load_bundles(self) -> None:
        create_bundle = getattr(catalog_actions, "create_bundle", None)
        if create_bundle is None:
            return
        existing = set(Bundle.objects.filter(code__in=[b[0] for b in BUNDLES]).values_list("code", flat=True))
        for code, name, lead, promised, item_names, description in BUNDLES:
            if code in existing:
                continue
            by_name = {
                i.name: i
                for i in ServiceItem.objects.filter(
                    name__in=item_names, status=ItemStatus.PUBLISHED, department__in=self.depts.values()
                )
            }
            missing = [n for n in item_names if n not in by_name]
            if missing:
                raise LookupError(f"一件事“{name}”缺少事项：{'、'.join(missing)}")
            create_bundle(
                code=code,
                name=name,
                lead_department=self.depts[lead],
                items=[by_name[n] for n in item_names],
                promised_limit=promised,
                description=description,
                status=ItemStatus.PUBLISHED,
                actor=self.admin,
            )
            self.created["bundle"] += 1


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Load the demo county; returns how many records of each kind were created (all zero on a re-run)."""
    ensure_role_groups()
    loader = _Loader()
    loader.load_regions()
    loader.load_sites()
    loader.load_halls()
    loader.load_departments()
    loader.load_windows()
    for hall in loader.halls.values():
        ensure_hall_queues(hall)  # 取号叫号: one queue per department's windows (idempotent)
    loader.load_staff(only_fixed=True)
    loader.load_items()
    loader.load_joint_departments()
    loader.load_synonyms()
    loader.load_bundles()
    loader.load_staff(only_fixed=False)
    ensure_demo_applicant()
    kinds = ("region", "site", "hall", "department", "window", "item", "bundle", "staff")
    return {kind: loader.created[kind] for kind in kinds}
