// A stand-in for a coding agent (no AI here): it reads the task orchestra
// gives it (ORCHESTRA_TASK, the prompt in ORCHESTRA_PROMPT_FILE) and writes
// the files a real agent might. The user model repeats the classic mistake.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const task = process.env.ORCHESTRA_TASK;
const prompt = readFileSync(process.env.ORCHESTRA_PROMPT_FILE, 'utf8');
console.log(`implementer: ${task}: ${prompt.split('\n')[0]}`);

const files = {
  'user-model': {
    'app/models/user.py': `from sqlalchemy import Column, DateTime, Integer, String

from app.db import Base


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    created_at = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True))
`,
  },
  'order-model': {
    'app/models/order.py': `from sqlalchemy import Column, DateTime, ForeignKey, Integer, func

from app.db import Base


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
`,
  },
  'phase-1.app-api': {
    'app/api/__init__.py': `"""Handlers over the models; the database sets every timestamp."""


def list_users(session):
    from app.models.user import User

    return session.query(User).all()
`,
  },
};

for (const [file, text] of Object.entries(files[task] ?? {})) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`implementer: wrote ${file}`);
}
