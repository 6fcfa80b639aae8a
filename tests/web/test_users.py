"""Coordinators manage accounts: create, edit, deactivate, reset passwords."""
from __future__ import annotations

from sqlalchemy import select

from hotline.models import User
from tests.conftest import login

EN = {"Accept-Language": "en"}
NEW = {"username": "wang.fang", "name": "王芳", "email": "wang@example.cn", "phone": "138 0013 8000",
       "role": "operator", "is_supervisor": "y", "active": "y", "locale": "", "password": "long-enough-pw"}


def test_admin_creates_a_user_who_can_sign_in(app, as_role, make):
    """A new operator account is stored with a normalised phone and can sign in."""
    admin = as_role("admin")
    response = admin.post("/admin/users/new", data=NEW)
    assert response.status_code == 302
    user = make.scalar(select(User).where(User.username == "wang.fang"))
    assert user.phone == "+8613800138000" and user.is_supervisor and user.role == "operator"
    assert login(app.test_client(), "wang.fang", "long-enough-pw").status_code == 302
    assert "wang.fang" in admin.get("/admin/users").get_data(as_text=True)


def test_bad_user_forms_get_400_and_nothing_is_saved(as_role, make):
    """Duplicate usernames, bad phones, short passwords and non-operator supervisors are refused."""
    admin = as_role("admin")
    before = len(make.scalars(select(User.id)))
    cases = [
        NEW | {"username": make.scalar(select(User.username).where(User.role == "lawyer"))},
        NEW | {"phone": "12345"},
        NEW | {"password": "short"},
        NEW | {"role": "lawyer", "is_supervisor": "y"},
        NEW | {"role": "superuser"},
        NEW | {"username": "bad name!"},
    ]
    for data in cases:
        response = admin.post("/admin/users/new", data=data, headers=EN)
        assert response.status_code == 400, data
    assert len(make.scalars(select(User.id))) == before


def test_admin_edits_and_deactivates(as_role, make, users, app):
    """Editing changes the account; a deactivated user can no longer sign in."""
    admin = as_role("admin")
    lawyer = users["lawyer"]
    page = admin.get(f"/admin/users/{lawyer.id}")
    assert page.status_code == 200
    data = {"username": lawyer.username, "name": "New Name", "role": "lawyer", "locale": "en", "email": "", "phone": ""}
    assert admin.post(f"/admin/users/{lawyer.id}", data=data).status_code == 302
    stored = make.get(User, lawyer.id)
    assert stored.name == "New Name" and not stored.active and stored.locale == "en"
    assert login(app.test_client(), lawyer.username).status_code == 401


def test_admin_cannot_lock_themselves_out(as_role, make, users):
    """Deactivating or demoting one's own account is refused."""
    admin = as_role("admin")
    me = users["admin"]
    data = {"username": me.username, "name": me.name, "role": "operator", "active": "y", "locale": ""}
    assert admin.post(f"/admin/users/{me.id}", data=data, headers=EN).status_code == 400
    assert make.get(User, me.id).role == "admin"


def test_reset_password_forces_a_change(as_role, app, users):
    """After a coordinator resets a password, the user signs in with it and is sent to change it."""
    admin = as_role("admin")
    target = users["liaison"]
    bad = admin.post(f"/admin/users/{target.id}/password", data={"password": "temporary-pw", "confirm": "different"})
    assert bad.status_code == 400
    ok = admin.post(f"/admin/users/{target.id}/password", data={"password": "temporary-pw", "confirm": "temporary-pw"})
    assert ok.status_code == 302
    response = login(app.test_client(), target.username, "temporary-pw")
    assert response.location == "/account/password"


def test_unknown_user_is_404(as_role):
    """Editing a user that does not exist gives the 404 page."""
    assert as_role("admin").get("/admin/users/99999").status_code == 404


def test_user_list_filters_by_role(as_role, users):
    """The list can be narrowed to one role."""
    page = as_role("admin").get("/admin/users?role=lawyer").get_data(as_text=True)
    assert users["lawyer"].username in page and users["liaison"].username not in page
